import { randomUUID } from 'node:crypto';
import type { Redis } from '@helpline/runtime';

// KEYS[1] the lock; ARGV[1] the holder's token. Deletes the lock only if this holder still
// owns it, so a holder whose lock expired cannot release the next holder's lock.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * A Redis lock (SET NX PX with a random token). Returns undefined when someone else holds
 * it. The TTL bounds how long a crashed holder blocks the others.
 */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<HeldLock | undefined> {
  const token = randomUUID();
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;
  return {
    async release() {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}

// KEYS[1] a value; ARGV[1] the value expected. Deletes it only if it still holds that value.
const DELETE_IF = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Deletes `key` only while it still holds `expected` (compare-and-delete). */
export async function deleteIfEquals(redis: Redis, key: string, expected: string): Promise<boolean> {
  return (await redis.eval(DELETE_IF, 1, key, expected)) === 1;
}
