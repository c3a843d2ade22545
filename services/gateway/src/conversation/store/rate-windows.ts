import type { Redis } from '@helpline/runtime';
import { type ConversationKeys, exec, type Multi } from './store-keys.js';

/** Rate-limit windows live two minutes, long enough to outlast their own minute. */
const RATE_WINDOW_TTL_SECONDS = 120;

/** A chat's messages per minute and the minute's single rate-limit notice. */
export function createRateWindows(options: { redis: Redis; key: ConversationKeys }) {
  const { redis, key } = options;
  return {
    /**
     * Counts a message in its chat's minute. A set of ids rather than a counter, so that
     * a redelivered message is not counted twice.
     */
    async countInMinute(chatId: string, messageId: string, minute: number): Promise<number> {
      const results = await exec(
        redis
          .multi()
          .sadd(key.rate(chatId, minute), messageId)
          .expire(key.rate(chatId, minute), RATE_WINDOW_TTL_SECONDS)
          .scard(key.rate(chatId, minute)),
      );
      return Number(results[2]);
    },

    /** Whether this message is the one that gets the minute's single rate-limit notice. */
    async claimRateNotice(chatId: string, messageId: string, minute: number): Promise<boolean> {
      const k = key.rateNotice(chatId, minute);
      await redis.set(k, messageId, 'EX', RATE_WINDOW_TTL_SECONDS, 'NX');
      return (await redis.get(k)) === messageId;
    },
  };
}

/** Queues the deletion of a chat's live windows (this minute and the one before) on a MULTI. */
export function deleteRateWindows(multi: Multi, key: ConversationKeys, chatId: string, nowMs: number): void {
  const minute = Math.floor(nowMs / 60_000);
  for (const m of [minute - 1, minute]) multi.del(key.rate(chatId, m), key.rateNotice(chatId, m));
}
