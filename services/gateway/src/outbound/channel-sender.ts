import type { Channel, OutboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';

/**
 * Whether a failed send may nonetheless have delivered the message: an error (or one of its
 * causes) says so with `mayHaveBeenSent: true`, as a Graph call that timed out or was reset
 * after the request left does. The send guard then keeps the claim until it expires, so
 * that the channel's own report (a Cloud API status webhook) can mark the job sent first.
 */
export function mayHaveBeenSent(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { mayHaveBeenSent?: unknown }).mayHaveBeenSent === true) return true;
  }
  return false;
}

/**
 * Sends one outbound message on one channel (`cloud`: Graph API; `group`: Baileys). Throw a
 * PermanentError when retrying cannot help; any other error is retried by the worker.
 */
export interface ChannelSender {
  send(message: OutboundMessage, log: Logger): Promise<{ messageId?: string }>;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed' | 'played';

export interface DeliveryError {
  code: number;
  title?: string;
  message?: string;
  details?: string;
}

/** A delivery status reported by the channel (Cloud API `statuses`, Baileys receipts). */
export interface DeliveryStatusUpdate {
  /** The id the channel gave the message when it was sent (wamid). */
  messageId: string;
  /** The chat the message went to (wa_id, user id or group JID). */
  recipient: string;
  status: DeliveryStatus;
  /** When the channel says the status changed (ISO 8601). */
  timestamp: string;
  /**
   * What the message was sent with as `biz_opaque_callback_data` (Cloud API): the outbound
   * job id, `<correlationId>-<purpose>`, so a delivery report joins its story's logs.
   */
  callbackData?: string;
  errors?: DeliveryError[];
  /** The channel that reported it; `cloud` when absent. */
  channel?: Channel;
}

/** Hears about sent messages and their later statuses (conversation log, metrics). */
export interface OutboundObserver {
  onSent?(message: OutboundMessage, result: { messageId?: string }): Promise<void>;
  onStatus?(update: DeliveryStatusUpdate): Promise<void>;
}
