import { repairText } from '@helpline/contracts';
import type { DeliveryStatus, DeliveryStatusUpdate } from '../outbound/channel-sender.js';
import { asArray, asNumber, asObject, asText, secondsToIso } from './json-reader.js';

const STATUSES = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'failed', 'played']);

export type StatusResult = { ok: true; update: DeliveryStatusUpdate } | { ok: false; reason: string };

/**
 * One `value.statuses[i]`. The recipient is the phone (`recipient_id`) or, for users known
 * only by a business-scoped id, `recipient_user_id`. A status WhatsApp adds later
 * (`deleted`, `warning`, ...) is refused with its name, to be counted as ignored.
 */
const repairOptional = (text: string | undefined) => (text === undefined ? undefined : repairText(text));

export function normaliseStatus(raw: unknown, receivedAt: Date): StatusResult {
  const s = asObject(raw);
  const messageId = asText(s?.id);
  if (!s || !messageId) return { ok: false, reason: 'status has no message id' };
  const status = asText(s.status);
  if (!status || !STATUSES.has(status as DeliveryStatus))
    return { ok: false, reason: `status "${repairText(status ?? '')}" not tracked` };
  const recipient = asText(s.recipient_id) ?? asText(s.recipient_user_id) ?? 'unknown';
  const callbackData = asText(s.biz_opaque_callback_data);
  // Ids become Redis keys and members: one with a lone surrogate is not one this gateway
  // sent (its ids are well-formed), and it would be stored as different text than it is.
  if (![messageId, recipient, callbackData ?? ''].every((id) => id.isWellFormed()))
    return { ok: false, reason: 'status with an ill-formed id (a lone surrogate)' };
  const errors = asArray(s.errors)
    .map((e) => asObject(e))
    .filter((e) => e !== undefined)
    .map((e) => ({
      code: Math.trunc(asNumber(e.code) ?? 0),
      title: repairOptional(asText(e.title)),
      message: repairOptional(asText(e.message)),
      details: repairOptional(asText(asObject(e.error_data)?.details)),
    }));
  return {
    ok: true,
    update: {
      messageId,
      recipient,
      status: status as DeliveryStatus,
      timestamp: secondsToIso(s.timestamp, receivedAt),
      ...(callbackData ? { callbackData } : {}),
      ...(errors.length > 0 ? { errors } : {}),
    },
  };
}
