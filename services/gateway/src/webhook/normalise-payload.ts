import { type InboundMessage, InboundMessage as InboundMessageSchema } from '@helpline/contracts';
import { z } from 'zod';
import type { DeliveryStatusUpdate } from '../outbound/channel-sender.js';
import { asArray, asObject } from './json-reader.js';
import { normaliseMessage } from './normalise-message.js';
import { normaliseStatus } from './normalise-status.js';

/**
 * The envelope every Meta webhook shares. Only what routing needs is checked; the rest is
 * read leniently, since Meta adds fields without notice.
 */
export const WebhookEnvelope = z.object({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelope>;

/** A message Meta sent that cannot become an InboundMessage: kept, never dropped. */
export interface RefusedPart {
  reason: string;
  chatId?: string;
  /** The message as Meta sent it, with what identifies its sender. */
  payload: { message: unknown; contacts?: unknown; errors?: unknown; metadata?: unknown };
}

export interface NormalisedPayload {
  /** Every one fits the `inbound` contract (checked here, with its defaults applied). */
  messages: InboundMessage[];
  statuses: DeliveryStatusUpdate[];
  /** Messages that could not be normalised or that the contract refuses, and why. */
  refused: RefusedPart[];
  /** What was left aside and why: unhandled fields and objects, untracked statuses. */
  ignored: string[];
}

/** The contract's complaints as paths and zod's words, never the values (they may be long or personal). */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Every message and status of every entry and change, in the order Meta sent them. */
export function normalisePayload(envelope: WebhookEnvelope, receivedAt: Date): NormalisedPayload {
  const result: NormalisedPayload = { messages: [], statuses: [], refused: [], ignored: [] };
  if (envelope.object !== 'whatsapp_business_account') {
    result.ignored.push(`object ${envelope.object}`);
    return result;
  }
  for (const entry of envelope.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') {
        result.ignored.push(`field ${change.field}`);
        continue;
      }
      const value = asObject(change.value) ?? {};
      for (const raw of asArray(value.messages)) {
        const r = normaliseMessage(raw, { contacts: value.contacts, changeErrors: value.errors, receivedAt });
        const payload = { message: raw, contacts: value.contacts, errors: value.errors, metadata: value.metadata };
        if (!r.ok) {
          result.refused.push({ reason: r.reason, payload });
          continue;
        }
        const checked = InboundMessageSchema.safeParse(r.message);
        if (checked.success) result.messages.push(checked.data);
        else
          result.refused.push({
            reason: `refused by the inbound contract: ${describeIssues(checked.error.issues)}`,
            chatId: r.message.chatId,
            payload,
          });
      }
      for (const raw of asArray(value.statuses)) {
        const r = normaliseStatus(raw, receivedAt);
        if (r.ok) result.statuses.push(r.update);
        else result.ignored.push(r.reason);
      }
      if (asArray(value.messages).length === 0 && asArray(value.statuses).length === 0) {
        result.ignored.push('messages change with neither messages nor statuses');
      }
    }
  }
  return result;
}
