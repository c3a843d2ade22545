import { luaScript, whenReady } from '@helpline/runtime';
import type { OutboundMessage } from '@helpline/contracts';
import type { Redis } from 'ioredis';
import { APPEND_EVENT_LUA, type ConversationEventStream } from '../events/conversation-event-stream.js';
import { deliveryStatus } from '../events/conversation-events.js';
import type { DeliveryStatus, DeliveryStatusUpdate, OutboundObserver } from '../outbound/channel-sender.js';

/** How long the delivery state of one message is kept. */
const TTL_SECONDS = 30 * 24 * 3600;

/**
 * Statuses only move forward: Meta may deliver `delivered` after `read`. `failed` is
 * final. `played` (voice notes) comes after `read`.
 */
const RANK: Record<DeliveryStatus, number> = { sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

// The one place a delivery status is recorded (every channel reports through `apply`), so
// the status's conversation event goes out here, in the same script, only when it moved.
// KEYS[1] state hash, KEYS[2] the recipient's index, KEYS[3] the event stream; ARGV: rank,
// status, timestamp, recipient, errorCode, errorTitle, ttl, message id, event JSON, stream cap.
// Returns 1 when the state moved, 0 when the update was older than what is stored.
const APPLY = luaScript(`${APPEND_EVENT_LUA}
local current = tonumber(redis.call('HGET', KEYS[1], 'rank') or '0')
if tonumber(ARGV[1]) <= current then return 0 end
redis.call('HSET', KEYS[1], 'rank', ARGV[1], 'status', ARGV[2], 'updatedAt', ARGV[3], 'recipient', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'errorCode', ARGV[5], 'errorTitle', ARGV[6]) end
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('SADD', KEYS[2], ARGV[8])
redis.call('EXPIRE', KEYS[2], ARGV[7])
append_event(KEYS[3], ARGV[9], ARGV[10])
return 1`);

// A message the channel took: recorded as `accepted` with its story, unless a status came
// first (the webhook can beat the worker here): rank, status and time are set only when
// absent. One script rather than a nine-command MULTI on every send.
// KEYS[1] state hash, KEYS[2] the recipient's index; ARGV: correlation id, purpose,
// recipient, now (ISO), ttl, message id.
const RECORD_SENT = luaScript(`
redis.call('HSETNX', KEYS[1], 'rank', '0')
redis.call('HSETNX', KEYS[1], 'status', 'accepted')
redis.call('HSET', KEYS[1], 'correlationId', ARGV[1], 'purpose', ARGV[2], 'recipient', ARGV[3])
redis.call('HSETNX', KEYS[1], 'updatedAt', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', KEYS[2], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1`);

export interface DeliveryState {
  status: DeliveryStatus | 'accepted';
  recipient?: string;
  correlationId?: string;
  purpose?: string;
  updatedAt?: string;
  errorCode?: number;
  errorTitle?: string;
}

/** A message sent to a recipient, as its delivery record names it. */
export interface SentMessageTrace {
  messageId: string;
  correlationId?: string;
  purpose?: string;
}

export interface DeliveryStore extends OutboundObserver {
  /** Applies a status from the webhook; false when it was older than the stored one. */
  apply(update: DeliveryStatusUpdate): Promise<boolean>;
  get(messageId: string): Promise<DeliveryState | undefined>;
  /** Every message whose record names this recipient (the records still kept). */
  sentTo(recipient: string): Promise<SentMessageTrace[]>;
  /**
   * Deletes the records of a recipient's messages (those its index knows and `alsoMessageIds`,
   * found elsewhere), and the index. Returns how many records went.
   */
  forgetRecipient(recipient: string, alsoMessageIds?: readonly string[]): Promise<number>;
}

/**
 * The delivery state of each sent message, by the id the channel gave it. The sender
 * records the message as `accepted` with its story; statuses from the webhook move it on.
 */
export function createDeliveryStore(
  redis: Redis,
  keyPrefix: string,
  clock: () => Date,
  events: ConversationEventStream,
): DeliveryStore {
  const key = (messageId: string) => `${keyPrefix}:delivery:${messageId}`;
  // The ids of the messages sent to one recipient, for a data-removal request: the records
  // themselves are found by message id only. Lives as long as the newest record.
  const sentIndex = (recipient: string) => `${keyPrefix}:delivery-to:${recipient}`;
  return {
    async onSent(message: OutboundMessage, result: { messageId?: string }) {
      if (!result.messageId) return;
      await whenReady(redis);
      await RECORD_SENT.run(
        redis,
        [key(result.messageId), sentIndex(message.to)],
        [message.correlationId, message.purpose, message.to, clock().toISOString(), TTL_SECONDS, result.messageId],
      );
    },
    async apply(update) {
      const error = update.errors?.[0];
      await whenReady(redis);
      const moved = await APPLY.run(
        redis,
        [key(update.messageId), sentIndex(update.recipient), events.key],
        [
          String(RANK[update.status]),
          update.status,
          update.timestamp,
          update.recipient,
          error ? String(error.code) : '',
          error?.title ?? '',
          String(TTL_SECONDS),
          update.messageId,
          events.encode(deliveryStatus(update)),
          events.maxLen,
        ],
      );
      return moved === 1;
    },
    async get(messageId) {
      await whenReady(redis);
      const h = await redis.hgetall(key(messageId));
      if (!h.status) return undefined;
      return {
        status: h.status as DeliveryState['status'],
        recipient: h.recipient,
        correlationId: h.correlationId,
        purpose: h.purpose,
        updatedAt: h.updatedAt,
        errorCode: h.errorCode ? Number(h.errorCode) : undefined,
        errorTitle: h.errorTitle || undefined,
      };
    },
    async sentTo(recipient) {
      await whenReady(redis);
      const ids = await redis.smembers(sentIndex(recipient));
      if (ids.length === 0) return [];
      const multi = redis.multi();
      for (const id of ids) multi.hmget(key(id), 'correlationId', 'purpose');
      const rows = (await multi.exec()) ?? [];
      return ids.map((messageId, i) => {
        const [error, values] = rows[i] ?? [null, []];
        if (error) throw error;
        const [correlationId, purpose] = (values as (string | null)[]) ?? [];
        return { messageId, ...(correlationId ? { correlationId } : {}), ...(purpose ? { purpose } : {}) };
      });
    },
    async forgetRecipient(recipient, alsoMessageIds = []) {
      await whenReady(redis);
      const ids = new Set([...(await redis.smembers(sentIndex(recipient))), ...alsoMessageIds]);
      const removed = ids.size > 0 ? await redis.del(...[...ids].map(key)) : 0;
      await redis.del(sentIndex(recipient));
      return removed;
    },
  };
}
