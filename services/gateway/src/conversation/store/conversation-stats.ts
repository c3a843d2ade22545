import { type Redis, whenReady } from '@helpline/runtime';
import { type ConversationKeys, exec, HOUR_MS } from './store-keys.js';

/** The figures of /api/stats, read from the counters the log's append keeps and the indexes. */
export function createConversationStats(options: { redis: Redis; key: ConversationKeys }) {
  const { redis, key } = options;
  return {
    async stats(nowMs: number) {
      await whenReady(redis);
      const hourNow = Math.floor(nowMs / HOUR_MS);
      const multi = redis.multi();
      multi.hgetall(key.totals);
      multi.zcard(key.chats);
      multi.scard(key.known);
      multi.zcount(key.chats, nowMs - 24 * HOUR_MS, '+inf');
      multi.zcount(key.paused, `(${nowMs}`, '+inf');
      // The current hour and the 23 before it: the last 24 hours to the hour.
      for (let h = hourNow - 23; h <= hourNow; h++) multi.hgetall(key.hour(h));
      const [totals, chats, known, chats24h, paused, ...hours] = (await exec(multi)) as [
        Record<string, string>,
        number,
        number,
        number,
        number,
        ...Record<string, string>[],
      ];
      const sum = (dir: 'inbound' | 'outbound') => hours.reduce((n, h) => n + Number(h[dir] ?? 0), 0);
      return {
        inbound: Number(totals.inbound ?? 0),
        outbound: Number(totals.outbound ?? 0),
        chats,
        known,
        chats24h,
        paused,
        inbound24h: sum('inbound'),
        outbound24h: sum('outbound'),
      };
    },

    /** Counts chats active since a moment (ms). */
    async chatsActiveSince(sinceMs: number): Promise<number> {
      return redis.zcount(key.chats, sinceMs, '+inf');
    },
  };
}
