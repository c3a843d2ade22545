import type { Redis } from '@helpline/runtime';

/**
 * How ticket jobs ride out a CRM outage: exponential delays with jitter, capped so that
 * retries stay frequent, until `horizonMs` has passed since the key's first failure.
 * The horizon is wall time, not an attempt count, so it holds whatever job options the
 * producing service used.
 */
export interface RetryPolicy {
  horizonMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Share of each delay taken off at random (0..1), so replicas do not retry in step. */
  jitter: number;
}

export function retryPolicyFor(horizonHours: number, overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    horizonMs: horizonHours * 3600_000,
    baseDelayMs: 5_000,
    maxDelayMs: 10 * 60_000,
    jitter: 0.3,
    ...overrides,
  };
}

/** The delay before retry number `retry` (1 for the first), never shorter than the CRM's own hint. */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number, hintMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry - 1, 30));
  const jittered = Math.round(exponential * (1 - policy.jitter * random()));
  return Math.max(jittered, Math.min(hintMs ?? 0, policy.maxDelayMs));
}

/** Retries a horizon allows at least (every delay at its longest): for the docs and a test. */
export function retriesWithin(policy: RetryPolicy): number {
  let total = 0;
  let retries = 0;
  while (total < policy.horizonMs) {
    retries += 1;
    total += Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retries - 1, 30));
  }
  return retries;
}

// KEYS[1] the key's retry hash. ARGV[1] now (ms), ARGV[2] TTL (ms).
// Returns {since, count}: when the key first failed, and how many retries so far.
const NOTE_RETRY = `
redis.call('HSETNX', KEYS[1], 'since', ARGV[1])
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {tonumber(redis.call('HGET', KEYS[1], 'since')), count}`;

/** Per-key retry bookkeeping in Redis, shared by every replica that runs the key's job. */
export function createRetryState(redis: Redis, keyPrefix: string, ttlMs: number) {
  const k = (key: string) => `${keyPrefix}:ticket:retry:${key}`;
  return {
    async note(key: string, now: number): Promise<{ since: number; count: number }> {
      const [since, count] = (await redis.eval(NOTE_RETRY, 1, k(key), now, ttlMs)) as [number, number];
      return { since, count };
    },
    /** After success or giving up, so that an operator's retry starts a fresh horizon. */
    async clear(key: string): Promise<void> {
      await redis.del(k(key));
    },
  };
}
export type RetryState = ReturnType<typeof createRetryState>;
