import { luaScript } from '@helpline/runtime';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * What a run of an outbound job finds when it asks to send:
 * - `claimed`: it holds the claim and may send;
 * - `sending`: another run holds a live claim (it is sending, or died less than a claim's
 *   TTL ago); try again in `retryInMs`;
 * - `sent`: the channel already took the message, but the observers may not have heard of
 *   it yet (the run that sent may have died right after);
 * - `observed`: sent and observed: nothing is left to do.
 */
export type SendClaim =
  | { state: 'claimed'; token: string }
  | { state: 'sending'; retryInMs: number }
  | { state: 'sent'; messageId?: string }
  | { state: 'observed'; messageId?: string };

/**
 * At most one send per outbound job id, across replicas, crashes and stalled-job re-runs.
 * One Redis string per job id moves `sending:<token>` -> `sent:<messageId>` ->
 * `observed:<messageId>`. The claim (`sending:`) expires on its own, so a run that dies
 * while holding it delays the message by at most one TTL and never loses it.
 */
export interface SendGuard {
  claim(jobId: string): Promise<SendClaim>;
  /** Extends a claim this run still holds; false when it was lost (expired, taken over). */
  renew(jobId: string, token: string): Promise<boolean>;
  /** The channel took the message: no run may send it again (kept `doneTtlMs`). */
  markSent(jobId: string, messageId: string | undefined): Promise<void>;
  /** The observers have heard of the sent message too. */
  markObserved(jobId: string, messageId: string | undefined): Promise<void>;
  /** The send failed (nothing went out): a retry may claim and send at once. */
  release(jobId: string, token: string): Promise<void>;
  /**
   * The channel says it took the message (a Cloud API status webhook carrying the job id):
   * marks the job `sent:` unless it already is, whatever claim is left. This closes the
   * gap a run leaves when it dies after the channel took the message but before it could
   * mark it sent: without it, the re-run would send again once the claim expired.
   * Returns whether the mark changed.
   */
  confirmSent(jobId: string, messageId: string): Promise<boolean>;
  /** How long a claim lives without renewal. */
  readonly claimTtlMs: number;
}

export interface SendGuardOptions {
  /**
   * Life of a claim without renewal. Longer than one channel call's deadline (Graph API
   * 15 s, twice with the window-template fallback; a group send 30 s), so a claim cannot
   * lapse under a call in flight even if its renewals stop (Redis briefly away); short
   * enough that a message whose sender died goes out again within about a minute.
   */
  claimTtlMs?: number;
  /** How long `sent:`/`observed:` is remembered: far beyond any retry or redelivery. */
  doneTtlMs?: number;
  /** Upper bound on the wait asked of a run that finds another run's claim. */
  busyRetryMs?: number;
}

// KEYS[1] the job's guard key; ARGV[1] `sending:<token>`, ARGV[2] claim TTL (ms).
// Returns {1} when claimed, else {0, current value, its PTTL}: one round trip, no race
// between "the claim exists" and reading whose it is.
const CLAIM = luaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
return {0, redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}
`);

// KEYS[1] the guard key; ARGV[1] `sending:<token>`, ARGV[2] TTL (ms). Extends only our claim.
const RENEW = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

// KEYS[1] the guard key; ARGV[1] `sending:<token>`. Deletes only our claim, never a later
// run's claim nor a `sent:` mark.
const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

// KEYS[1] the guard key; ARGV[1] `sent:<messageId>`, ARGV[2] TTL (ms). Leaves `sent:` and
// `observed:` alone (the run that sent knows best); replaces a claim or nothing.
const CONFIRM = luaScript(`
local value = redis.call('GET', KEYS[1])
if value and (string.sub(value, 1, 5) == 'sent:' or string.sub(value, 1, 9) == 'observed:') then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

function after(value: string, prefix: string): string | undefined {
  const rest = value.slice(prefix.length);
  return rest.length > 0 ? rest : undefined;
}

export function createSendGuard(redis: Redis, keyPrefix: string, options: SendGuardOptions = {}): SendGuard {
  const claimTtlMs = options.claimTtlMs ?? 60_000;
  const doneTtlMs = options.doneTtlMs ?? 7 * 24 * 3600_000;
  const busyRetryMs = options.busyRetryMs ?? 2_000;
  const key = (jobId: string) => `${keyPrefix}:outbound:send:${jobId}`;

  return {
    claimTtlMs,
    async claim(jobId) {
      const token = randomUUID();
      const answer = (await CLAIM.run(redis, [key(jobId)], [`sending:${token}`, claimTtlMs])) as [
        number,
        string | null,
        number,
      ];
      if (answer[0] === 1) return { state: 'claimed', token };
      const [, value, pttl] = answer;
      if (value?.startsWith('observed:')) return { state: 'observed', messageId: after(value, 'observed:') };
      if (value?.startsWith('sent:')) return { state: 'sent', messageId: after(value, 'sent:') };
      // Another run's claim (or one that vanished between SET and GET: retry soon). Check
      // again well before it expires: the live run usually finishes within a second.
      return { state: 'sending', retryInMs: Math.max(50, Math.min(pttl > 0 ? pttl : 50, busyRetryMs)) };
    },
    async renew(jobId, token) {
      return (await RENEW.run(redis, [key(jobId)], [`sending:${token}`, claimTtlMs])) === 1;
    },
    async markSent(jobId, messageId) {
      await redis.set(key(jobId), `sent:${messageId ?? ''}`, 'PX', doneTtlMs);
    },
    async markObserved(jobId, messageId) {
      await redis.set(key(jobId), `observed:${messageId ?? ''}`, 'PX', doneTtlMs);
    },
    async release(jobId, token) {
      await RELEASE.run(redis, [key(jobId)], [`sending:${token}`]);
    },
    async confirmSent(jobId, messageId) {
      return (await CONFIRM.run(redis, [key(jobId)], [`sent:${messageId}`, doneTtlMs])) === 1;
    },
  };
}
