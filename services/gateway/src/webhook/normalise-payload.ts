import type { InboundMessage } from '@helpline/contracts';
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

export interface NormalisedPayload {
  messages: InboundMessage[];
  statuses: DeliveryStatusUpdate[];
  /** What was left aside and why: unhandled fields and objects, untracked statuses. */
  ignored: string[];
}

/** Every message and status of every entry and change, in the order Meta sent them. */
export function normalisePayload(envelope: WebhookEnvelope, receivedAt: Date): NormalisedPayload {
  const result: NormalisedPayload = { messages: [], statuses: [], ignored: [] };
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
        if (r.ok) result.messages.push(r.message);
        else result.ignored.push(r.reason);
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
