import type { Database } from '@helpline/runtime';
import {
  type BroadcastReport,
  type BroadcastRow,
  type RawBroadcast,
  type RecipientState,
  toRow,
  zeroCounts,
} from './broadcast-rows.js';

/** Broadcasts read: one, a page (newest first), one's report, and the figures the metrics read. */
export function createBroadcastReads(db: Database) {
  const get = async (id: string): Promise<BroadcastRow | undefined> => {
    const { rows } = await db.query<RawBroadcast>(
      'SELECT * FROM broadcasts WHERE broadcast_id = $1',
      [id],
      'broadcast_get',
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  };
  return {
    get,
    async list(limit: number, offset: number): Promise<{ total: number; items: BroadcastRow[] }> {
      const [{ rows }, count] = await Promise.all([
        db.query<RawBroadcast>(
          'SELECT * FROM broadcasts ORDER BY created_at DESC, broadcast_id DESC LIMIT $1 OFFSET $2',
          [limit, offset],
          'broadcast_list',
        ),
        db.query<{ n: string }>('SELECT count(*) AS n FROM broadcasts', [], 'broadcast_count'),
      ]);
      return { total: Number(count.rows[0]?.n ?? 0), items: rows.map(toRow) };
    },
    async report(id: string): Promise<BroadcastReport | undefined> {
      const row = await get(id);
      if (!row) return undefined;
      const [states, failures] = await Promise.all([
        db.query<{ state: RecipientState; n: string }>(
          'SELECT state, count(*) AS n FROM broadcast_recipients WHERE broadcast_id = $1 GROUP BY state',
          [id],
          'broadcast_report_states',
        ),
        db.query<{ code: string; title: string | null; n: string }>(
          `SELECT error_code AS code, max(error_title) AS title, count(*) AS n FROM broadcast_recipients
           WHERE broadcast_id = $1 AND state = 'failed' GROUP BY error_code ORDER BY count(*) DESC, error_code`,
          [id],
          'broadcast_report_failures',
        ),
      ]);
      const counts = zeroCounts();
      for (const s of states.rows) counts[s.state] = Number(s.n);
      return {
        broadcast: row,
        counts,
        failures: failures.rows.map((f) => ({ code: f.code ?? 'unknown', title: f.title, count: Number(f.n) })),
      };
    },
    async activeCounts(): Promise<{ counts: Record<RecipientState, number>; running: number }> {
      const { rows } = await db.query<{ state: RecipientState; n: string }>(
        `SELECT r.state, count(*) AS n FROM broadcast_recipients r
         JOIN broadcasts b USING (broadcast_id)
         WHERE b.state IN ('scheduled', 'running') OR b.finished_at > now() - interval '1 day'
            OR b.cancelled_at > now() - interval '1 day'
         GROUP BY r.state`,
        [],
        'broadcast_active_counts',
      );
      const counts = zeroCounts();
      for (const r of rows) counts[r.state] = Number(r.n);
      const running = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM broadcasts WHERE state IN ('scheduled', 'running')`,
        [],
        'broadcast_running',
      );
      return { counts, running: Number(running.rows[0]?.n ?? 0) };
    },
  };
}
