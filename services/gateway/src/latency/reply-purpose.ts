import { COMMANDS } from '../conversation/commands.js';
import { MENU_CHOICES } from '../conversation/texts.js';

/**
 * The purposes of the messages that answer a customer, as the `purpose` label of the
 * end-to-end latency histogram. A closed set: the purpose is free text in the contract
 * (any producer, `POST /api/send-message`), and an open label would grow without bound.
 */
export const REPLY_PURPOSES: ReadonlySet<string> = new Set<string>([
  // classifier (route-message.ts)
  'ack',
  // network (diagnose.ts)
  'diagnosis',
  'diagnosis_account',
  // tickets (ticket-notice.ts)
  'ticket',
  // the gateway's conversation (handle-inbound.ts, replies.ts, handoff.ts)
  'privacy_notice',
  'consent_declined',
  'rate_limited',
  'diagnosis_started',
  'ask_description',
  'handoff',
  ...COMMANDS,
  ...MENU_CHOICES,
]);

/** The label value for a purpose: itself when known, `other` otherwise. */
export function purposeLabel(purpose: string): string {
  return REPLY_PURPOSES.has(purpose) ? purpose : 'other';
}
