import type { Redis } from 'ioredis';

/**
 * Meta's pair rate limit (131056): too many messages to one recipient in a short time.
 * After it, that recipient is paced: no send to it before the pause ends, on any replica.
 */
export interface RecipientPacer {
  /** Milliseconds to wait before sending to the recipient (0: send now). */
  waitMs(recipient: string): Promise<number>;
  /** Pauses sends to the recipient for `ms`. */
  pause(recipient: string, ms: number): Promise<void>;
  /** Drops the recipient's pause (a data-removal request: its key names the number). */
  forget(recipient: string): Promise<boolean>;
}

export function createRecipientPacer(redis: Redis, keyPrefix: string): RecipientPacer {
  const key = (recipient: string) => `${keyPrefix}:pace:${recipient}`;
  return {
    async waitMs(recipient) {
      const ttl = await redis.pttl(key(recipient));
      return ttl > 0 ? ttl : 0;
    },
    async pause(recipient, ms) {
      await redis.set(key(recipient), '1', 'PX', Math.max(1, Math.round(ms)));
    },
    async forget(recipient) {
      return (await redis.del(key(recipient))) > 0;
    },
  };
}
