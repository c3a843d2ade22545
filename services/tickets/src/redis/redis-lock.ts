import { randomUUID } from 'node:crypto';
import type { Redis } from '@helpline/runtime';

// KEYS[1] the lock; ARGV[1] the holder's token. Deletes the lock only if this holder still
// owns it, so a holder whose lock expired cannot release the next holder's lock.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

// KEYS[1] the lock; ARGV[1] the holder's token, ARGV[2] the new TTL in ms. Extends the lock
// only while this holder still owns it: a holder never revives a lock someone else took.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

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

export interface KeptLock extends HeldLock {
  /** False once the lock was found taken by another holder, or could not be renewed in time. */
  isHeld(): boolean;
}

export interface KeptLockOptions {
  /** How often the TTL is renewed (default a third of it, so two renewals may fail in a row). */
  renewEveryMs?: number;
  /** Called once, when the lock is lost. */
  onLost?: (reason: string) => void;
}

/**
 * A lock whose TTL is renewed while its holder works (compare-and-extend: only while the
 * lock still holds this holder's token). The TTL then only has to cover a crashed holder,
 * not the longest honest piece of work. When a renewal finds the lock gone or taken, or no
 * renewal has succeeded for a whole TTL (Redis away), the heartbeat stops and `isHeld()`
 * turns false: the holder must not start anything the lock was protecting.
 */
export async function tryLockKept(
  redis: Redis,
  key: string,
  ttlMs: number,
  options: KeptLockOptions = {},
): Promise<KeptLock | undefined> {
  const token = randomUUID();
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;

  const every = Math.max(1, options.renewEveryMs ?? Math.floor(ttlMs / 3));
  let held = true;
  let stopped = false;
  let renewedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const lose = (reason: string): void => {
    if (!held) return;
    held = false;
    stopped = true;
    options.onLost?.(reason);
  };

  const renew = async (): Promise<void> => {
    const attemptedAt = Date.now();
    try {
      const extended = await redis.eval(EXTEND, 1, key, token, String(ttlMs));
      if (stopped) return;
      if (extended === 1) renewedAt = attemptedAt;
      else lose('the lock expired or another holder took it');
    } catch (error) {
      if (stopped) return;
      // Redis did not answer; the lock stands until its TTL runs out, so try again until then.
      if (Date.now() - renewedAt >= ttlMs)
        lose(`no renewal for ${ttlMs} ms: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const schedule = (): void => {
    timer = setTimeout(() => {
      void renew().then(() => {
        if (!stopped) schedule();
      });
    }, every);
    // The heartbeat alone must not keep a process alive.
    timer.unref();
  };
  schedule();

  return {
    isHeld: () => held && Date.now() - renewedAt < ttlMs,
    async release() {
      stopped = true;
      if (timer) clearTimeout(timer);
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
