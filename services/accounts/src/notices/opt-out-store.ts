import { noticeOptOutKey } from '@helpline/contracts';
import type { Database, Redis } from '@helpline/runtime';

/**
 * Who asked for no notices, per chat (wa_id). PostgreSQL holds the record; a Redis set
 * mirrors the opted-out chats for the gateway, which checks it at send time. Each change
 * is committed in PostgreSQL first, then applied to the set; `rebuildMirror` (at every
 * start) makes the set equal to the table, so a change whose Redis half was lost (a crash
 * between the two) is repaired.
 */
export interface OptOutStore {
  /** Records the choice (the last one counts). */
  set(chatId: string, optedOut: boolean, source: string): Promise<void>;
  isOptedOut(chatId: string): Promise<boolean>;
  /** Makes the Redis set equal to the table; returns how many chats are opted out. */
  rebuildMirror(): Promise<number>;
}

export function createOptOutStore(db: Database, redis: Redis, prefix: string): OptOutStore {
  const key = noticeOptOutKey(prefix);

  const mirror = async (chatId: string, optedOut: boolean) => {
    if (optedOut) await redis.sadd(key, chatId);
    else await redis.srem(key, chatId);
  };

  return {
    async set(chatId, optedOut, source) {
      await db.query(
        `INSERT INTO notice_opt_outs (chat_id, opted_out, source) VALUES ($1, $2, $3)
         ON CONFLICT (chat_id) DO UPDATE
           SET opted_out = EXCLUDED.opted_out, source = EXCLUDED.source, changed_at = clock_timestamp()`,
        [chatId, optedOut, source],
        'notices.opt_out',
      );
      await mirror(chatId, optedOut);
    },
    async isOptedOut(chatId) {
      const r = await db.query<{ opted_out: boolean }>(
        'SELECT opted_out FROM notice_opt_outs WHERE chat_id = $1',
        [chatId],
        'notices.is_opted_out',
      );
      return r.rows[0]?.opted_out === true;
    },
    async rebuildMirror() {
      // Changes made while this runs are applied again at the end (they are committed in
      // PostgreSQL before they touch Redis), so the set cannot be left behind the table.
      const started = await db.query<{ at: Date }>('SELECT clock_timestamp() AS at', [], 'notices.now');
      const since = started.rows[0]?.at as Date;
      const inRedis = new Set(await redis.smembers(key));
      const rows = await db.query<{ chat_id: string }>(
        'SELECT chat_id FROM notice_opt_outs WHERE opted_out',
        [],
        'notices.opted_out_all',
      );
      const inTable = new Set(rows.rows.map((r) => r.chat_id));
      const stale = [...inRedis].filter((id) => !inTable.has(id));
      const missing = [...inTable].filter((id) => !inRedis.has(id));
      if (stale.length > 0) await redis.srem(key, ...stale);
      if (missing.length > 0) await redis.sadd(key, ...missing);
      const changed = await db.query<{ chat_id: string; opted_out: boolean }>(
        'SELECT chat_id, opted_out FROM notice_opt_outs WHERE changed_at >= $1 ORDER BY changed_at',
        [since],
        'notices.opt_out_changed',
      );
      for (const row of changed.rows) await mirror(row.chat_id, row.opted_out);
      return inTable.size;
    },
  };
}
