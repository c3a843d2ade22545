import type { DeliveryStatus, DeliveryStatusUpdate } from '../outbound/channel-sender.js';
import { whatsappDigits } from './normalise-twilio.js';
import type { FormParam } from './twilio-signature.js';

/** Twilio's `MessageStatus` values the delivery state tracks, as the Cloud API's statuses. */
const TRACKED: Record<string, DeliveryStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  // Twilio took the message but WhatsApp could not deliver it: Meta's `failed`.
  undelivered: 'failed',
};

/** Statuses before `sent`: Twilio has the message, nothing to record yet, but it must not go twice. */
const TAKEN = new Set(['accepted', 'scheduled', 'queued', 'sending']);

export type TwilioStatusResult =
  | { kind: 'update'; update: DeliveryStatusUpdate }
  /** Twilio holds the message (queued, sending, ...): only the send guard learns of it. */
  | { kind: 'taken'; messageId: string; callbackData?: string; status: string }
  | { kind: 'ignored'; reason: string };

/**
 * One status callback (`MessageSid`, `MessageStatus`, `ErrorCode`, `ErrorMessage`, `To`,
 * `ChannelToAddress`, ...) as a delivery update. The outbound job id rides in the callback
 * URL's `job` query parameter; it becomes the update's callback data, as Meta returns
 * `biz_opaque_callback_data`.
 */
export function normaliseTwilioStatus(
  params: readonly FormParam[],
  job: string | undefined,
  receivedAt: Date,
): TwilioStatusResult {
  const get = (name: string) => params.find(([n]) => n === name)?.[1] || undefined;
  const messageId = get('MessageSid') ?? get('SmsSid');
  if (!messageId) return { kind: 'ignored', reason: 'status callback has no MessageSid' };
  const raw = (get('MessageStatus') ?? get('SmsStatus') ?? '').toLowerCase();
  const callbackData = job ? `helpline:${job}` : undefined;
  if (TAKEN.has(raw)) return { kind: 'taken', messageId, status: raw, ...(callbackData ? { callbackData } : {}) };
  const status = TRACKED[raw];
  if (!status) return { kind: 'ignored', reason: `status "${raw}" not tracked` };
  const recipient = whatsappDigits(get('To')) ?? whatsappDigits(get('ChannelToAddress')) ?? 'unknown';
  const code = get('ErrorCode');
  const errorMessage = get('ErrorMessage');
  const errors =
    code !== undefined
      ? [
          {
            code: Number.isInteger(Number(code)) ? Number(code) : 0,
            // Twilio's ErrorMessage is what Meta calls the error's title: the one text the
            // delivery state, the conversation log and the delivery_status event keep (the
            // event's contract holds a title to 512 characters).
            ...(errorMessage ? { title: errorMessage.slice(0, 512), message: errorMessage } : {}),
          },
        ]
      : undefined;
  return {
    kind: 'update',
    update: {
      messageId,
      recipient,
      status,
      // Without it the update (and its conversation event) would say `cloud`.
      channel: 'twilio',
      timestamp: receivedAt.toISOString(),
      ...(callbackData ? { callbackData } : {}),
      ...(errors && (status === 'failed' || errors[0]?.code) ? { errors } : {}),
    },
  };
}
