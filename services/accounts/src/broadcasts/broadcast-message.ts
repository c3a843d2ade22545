import { jobIds, type OutboundMessageInput } from '@helpline/contracts';
import type { ClaimedRecipient } from './broadcast-store.js';

/** A broadcast recipient's messages carry this purpose (part of the outbound job id). */
export const BROADCAST_PURPOSE = 'broadcast';

/**
 * What every recipient of a broadcast is sent, as stored with it. A template's parameters
 * are values by position, filled per recipient: `{{customer_name}}` in a value becomes the
 * recipient's name from the back-office (or "cliente" when it has none).
 */
export type BroadcastContent =
  | { kind: 'text'; body: string }
  | {
      kind: 'template';
      name: string;
      language: string;
      /** The notice purpose the template was chosen by, when it was. */
      purpose?: string;
      header: string[];
      body: string[];
    };

/** Broadcast ids: letters and digits only, so that they survive in job ids and callback data. */
export function newBroadcastId(now: Date, random: () => number = Math.random): string {
  const tail = Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `b${now.getTime().toString(36)}${tail}`;
}

/** One recipient's correlation id: the broadcast and the recipient's place in it. */
export const recipientCorrelationId = (broadcastId: string, seq: number): string => `bc-${broadcastId}-${seq}`;

/** The outbound job id of one recipient's message (what the gateway's events name). */
export const recipientJobId = (broadcastId: string, seq: number): string =>
  jobIds.outbound(recipientCorrelationId(broadcastId, seq), BROADCAST_PURPOSE);

// Statuses name the job by the callback data the gateway gave it: `helpline:<job id>`.
const JOB_ID = /^(?:helpline:)?bc-(b[0-9a-z]{1,40})-(\d{1,9})-broadcast$/;

/** The recipient an outbound job id (or a status's callback data) belongs to, if it is a broadcast's. */
export function parseRecipientJobId(id: string | undefined): { broadcastId: string; seq: number } | undefined {
  const match = id ? JOB_ID.exec(id) : null;
  return match ? { broadcastId: match[1] as string, seq: Number(match[2]) } : undefined;
}

const fillName = (value: string, name: string | null) =>
  value.replaceAll('{{customer_name}}', name?.trim() || 'cliente');

/** The outbound message of one recipient: a notice (`meta.notice`) the gateway may skip at send time. */
export function recipientMessage(
  broadcastId: string,
  content: BroadcastContent,
  recipient: ClaimedRecipient,
): OutboundMessageInput {
  const correlationId = recipientCorrelationId(broadcastId, recipient.seq);
  const parameters = (values: readonly string[]) =>
    values.map((value) => ({ type: 'text', text: fillName(value, recipient.name) }));
  const components: Array<Record<string, unknown>> = [];
  if (content.kind === 'template') {
    if (content.header.length > 0) components.push({ type: 'header', parameters: parameters(content.header) });
    if (content.body.length > 0) components.push({ type: 'body', parameters: parameters(content.body) });
  }
  return {
    correlationId,
    purpose: BROADCAST_PURPOSE,
    channel: 'cloud',
    channelFromChat: true,
    to: recipient.phone,
    content:
      content.kind === 'text'
        ? { kind: 'text', body: fillName(content.body, recipient.name) }
        : {
            kind: 'template',
            name: content.name,
            language: content.language,
            ...(components.length > 0 ? { components } : {}),
          },
    meta: {
      ...(recipient.customerId ? { customerId: recipient.customerId } : {}),
      notice: {
        purpose: 'broadcast',
        id: correlationId,
        broadcastId,
      },
    },
  };
}
