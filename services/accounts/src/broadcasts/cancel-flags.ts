import type { Redis } from '@helpline/runtime';

/** A week: longer than any broadcast runs, so a flag outlives every hand-out it must stop. */
const FLAG_SECONDS = 7 * 24 * 3600;

/**
 * Cancelled broadcasts, flagged in Redis so that every replica's dispatcher sees a cancel
 * before its next message (PostgreSQL is read once per claim, Redis before each hand-out).
 */
export interface CancelFlags {
  set(id: string): Promise<void>;
  clear(id: string): Promise<void>;
  isSet(id: string): Promise<boolean>;
}

export function createCancelFlags(redis: Redis, keyPrefix: string): CancelFlags {
  const key = (id: string) => `${keyPrefix}:broadcast:cancelled:${id}`;
  return {
    async set(id) {
      await redis.set(key(id), '1', 'EX', FLAG_SECONDS);
    },
    async clear(id) {
      await redis.del(key(id));
    },
    isSet: async (id) => (await redis.exists(key(id))) === 1,
  };
}
