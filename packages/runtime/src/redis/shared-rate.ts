import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { luaScript } from './lua-script.js';

// GCRA (generic cell rate algorithm) in one script, on Redis' own clock so that replicas
// with drifting clocks still share one rate.
// KEYS[1] the rate's key; ARGV[1] emission interval in µs, ARGV[2] burst tolerance in µs.
// Returns 0 when one more may go now (and books it), else the µs to wait before asking again.
const ACQUIRE = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait > 0 then return wait end
local nextTat = tat + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 1000)
return 0`);

export interface SharedRate {
  readonly perSecond: number;
  /** Resolves when one more fits the rate (booked); rejects when the signal aborts the wait. */
  acquire(signal?: AbortSignal): Promise<void>;
}

/**
 * A rate shared by every process that names the same key: at most `perSecond` on average,
 * and at most `burst` at once after a quiet spell (1: evenly spread). The gateway's send
 * limit and the accounts service's broadcast pace are two of these.
 */
export function createSharedRate(redis: Redis, key: string, perSecond: number, burst = 1): SharedRate {
  const intervalUs = Math.max(1, Math.round(1_000_000 / perSecond));
  const toleranceUs = intervalUs * Math.max(0, burst - 1);
  return {
    perSecond,
    async acquire(signal) {
      for (;;) {
        const wait = Number(await ACQUIRE.run(redis, [key], [intervalUs, toleranceUs]));
        if (wait <= 0) return;
        await sleep(Math.max(1, Math.ceil(wait / 1000)), undefined, { signal });
      }
    },
  };
}
