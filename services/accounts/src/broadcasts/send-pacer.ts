import { setTimeout as sleep } from 'node:timers/promises';
import { luaScript, type Redis } from '@helpline/runtime';

// GCRA on Redis' own clock, so that every accounts replica hands broadcast messages to the
// gateway at one shared rate. KEYS[1] the pacer key; ARGV[1] the interval between messages
// in µs, ARGV[2] the tolerance in µs (a late loop may catch up by that much, never more).
// Returns 0 when one more may go now (and books it), else the µs to wait.
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

export interface SendPacer {
  readonly perSecond: number;
  /** Resolves when one more broadcast message may be handed to the gateway. */
  acquire(signal?: AbortSignal): Promise<void>;
}

/**
 * The pace broadcasts are handed to the `outbound` queue at: a share of WHATSAPP_SEND_RATE.
 * The gateway's own limiter (the same rate, shared by its replicas) stays the hard cap on
 * what reaches Meta; handing out below it keeps the queue short, so a customer's reply is
 * never stuck behind thousands of broadcast messages and a cancel finds them unsent.
 */
export function createSendPacer(redis: Redis, key: string, perSecond: number): SendPacer {
  const intervalUs = Math.max(1, Math.round(1_000_000 / perSecond));
  // A tenth of a second's worth (at least one message) may go at once after a late wake-up:
  // the average stays at the rate, and a burst stays far below the gateway's own limit.
  const toleranceUs = intervalUs * Math.max(1, Math.floor(perSecond / 10));
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
