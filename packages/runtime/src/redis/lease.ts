import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaScript } from './lua-script.js';

// KEYS[1] the lease; ARGV[1] the holder's token. Deletes the key only while it still holds
// this token, so a holder whose lease expired cannot end the next holder's lease.
const COMPARE_AND_DELETE = luaScript(
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
);

// KEYS[1] the lease; ARGV[1] the holder's token, ARGV[2] the new TTL in ms. Extends the
// lease only while it still holds this token: a holder never revives a lease someone else took.
const COMPARE_AND_EXTEND = luaScript(
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`,
);

/** Deletes `key` only while it still holds `expected`; true when it did. */
export async function compareAndDelete(redis: Redis, key: string, expected: string): Promise<boolean> {
  return (await COMPARE_AND_DELETE.run(redis, [key], [expected])) === 1;
}

/** Sets `key`'s TTL to `ttlMs` only while it still holds `expected`; true when it did. */
export async function compareAndExtend(redis: Redis, key: string, expected: string, ttlMs: number): Promise<boolean> {
  return (await COMPARE_AND_EXTEND.run(redis, [key], [expected, String(Math.max(1, Math.ceil(ttlMs)))])) === 1;
}

/** A lease held in Redis: `SET key token PX ttl NX`, ended or extended only by its holder. */
export interface Lease {
  readonly key: string;
  readonly token: string;
  /** Extends the lease; false when it expired or another holder took it. */
  extend(ttlMs?: number): Promise<boolean>;
  /** Gives the lease up if it is still this holder's; true when it was. */
  release(): Promise<boolean>;
}

/** Takes the lease, or answers undefined while someone else holds it. */
export async function tryAcquireLease(
  redis: Redis,
  key: string,
  ttlMs: number,
  token: string = randomUUID(),
): Promise<Lease | undefined> {
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;
  return leaseOf(redis, key, token, ttlMs);
}

/** The handle of a lease known to hold `token` (taken earlier, or by a script). */
export function leaseOf(redis: Redis, key: string, token: string, ttlMs: number): Lease {
  return {
    key,
    token,
    extend: (ms = ttlMs) => compareAndExtend(redis, key, token, ms),
    release: () => compareAndDelete(redis, key, token),
  };
}

export interface KeptLease extends Lease {
  /** False once a renewal found the lease taken or gone, or none succeeded for a whole TTL. */
  isHeld(): boolean;
  /** Stops the renewals without releasing (the lease then ends with its TTL, or by a script). */
  stop(): void;
}

export interface KeepOptions {
  ttlMs: number;
  /** How often the TTL is renewed (default a third of it, so two renewals may fail in a row). */
  renewEveryMs?: number;
  /** Called once, when the lease is lost. */
  onLost?: (reason: string) => void;
  /** Monotonic milliseconds; tests may pass their own. */
  nowMs?: () => number;
}

/**
 * Renews a lease in the background while its holder works (compare-and-extend), so its TTL
 * only has to cover a crashed holder, not the longest honest piece of work. When a renewal
 * finds the lease gone or taken, or no renewal has succeeded for a whole TTL (Redis away),
 * the renewals stop and `isHeld()` turns false: the holder must not start anything the
 * lease protects. `release()` stops the renewals first.
 */
export function keepLease(lease: Lease, options: KeepOptions): KeptLease {
  const nowMs = options.nowMs ?? (() => performance.now());
  const every = Math.max(1, options.renewEveryMs ?? Math.floor(options.ttlMs / 3));
  let held = true;
  let stopped = false;
  let renewedAt = nowMs();
  let timer: NodeJS.Timeout | undefined;

  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
  const lose = (reason: string): void => {
    if (!held) return;
    held = false;
    stop();
    options.onLost?.(reason);
  };
  const renew = async (): Promise<void> => {
    const attemptedAt = nowMs();
    try {
      const extended = await lease.extend(options.ttlMs);
      if (stopped) return;
      if (extended) renewedAt = attemptedAt;
      else lose('the lease expired or another holder took it');
    } catch (error) {
      if (stopped) return;
      // Redis did not answer; the lease stands until its TTL runs out, so try again until then.
      if (nowMs() - renewedAt >= options.ttlMs) {
        lose(`no renewal for ${options.ttlMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const schedule = (): void => {
    timer = setTimeout(() => {
      void renew().then(() => {
        if (!stopped) schedule();
      });
    }, every);
    // The renewals alone must not keep a process alive.
    timer.unref();
  };
  schedule();

  return {
    key: lease.key,
    token: lease.token,
    extend: lease.extend,
    isHeld: () => held && nowMs() - renewedAt < options.ttlMs,
    stop,
    async release() {
      stop();
      return lease.release();
    },
  };
}
