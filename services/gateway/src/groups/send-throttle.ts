import type { Redis } from '@helpline/runtime';

// KEYS[1] the group's next-free-slot key; ARGV[1] interval ms.
// Reserves the earliest slot at least ARGV[1] after the last one and returns how long the
// caller waits for it (ms). Redis' own clock is used, so replicas' clocks need not agree.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, last + interval)
redis.call('SET', KEYS[1], slot, 'PX', (slot - now) + interval + 1000)
return slot - now`;

/**
 * A least interval between two messages into one group, held in Redis so that it holds
 * across replicas and restarts: many answers in a burst are what gets an account banned.
 */
export function createSendThrottle(redis: Redis, keyPrefix: string, intervalMs: number) {
  return {
    intervalMs,
    /** Reserves the group's next slot; resolves with the wait in ms (0 when free now). */
    async reserve(groupJid: string): Promise<number> {
      if (intervalMs <= 0) return 0;
      return Number(await redis.eval(RESERVE, 1, `${keyPrefix}send-slot:${groupJid}`, String(intervalMs)));
    },
  };
}
export type SendThrottle = ReturnType<typeof createSendThrottle>;
