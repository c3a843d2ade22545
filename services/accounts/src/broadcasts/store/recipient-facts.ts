import type { Database } from '@helpline/runtime';
import type { RecipientState, RecipientUpdate } from './broadcast-rows.js';
import { RANK, RANK_SQL } from './recipient-rank.js';

/**
 * Facts about recipients (handed out, sent, delivered, read, failed, skipped) applied so a
 * recipient only moves forward; `onChange` counts how many moved into each state.
 */
export function createRecipientFacts(db: Database, onChange?: (state: RecipientState, count: number) => void) {
  return {
    async apply(updates: readonly RecipientUpdate[]): Promise<number> {
      if (updates.length === 0) return 0;
      const useful = updates.filter((u) => RANK[u.state] > 0);
      const { rows: moved } = await db.query<{ state: RecipientState }>(
        `UPDATE broadcast_recipients r SET
           state = u.state,
           provider_message_id = COALESCE(u.provider_message_id, r.provider_message_id),
           error_code = COALESCE(u.error_code, r.error_code),
           error_title = COALESCE(u.error_title, r.error_title),
           updated_at = now()
         FROM (SELECT DISTINCT ON (broadcast_id, seq) * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])
                 AS x(broadcast_id, seq, state, rank, provider_message_id, error_code, error_title)
               ORDER BY broadcast_id, seq, rank DESC) u
         WHERE r.broadcast_id = u.broadcast_id AND r.seq = u.seq
           AND (${RANK_SQL.replaceAll('state', 'r.state')}) < u.rank
         RETURNING r.state`,
        [
          useful.map((u) => u.broadcastId),
          useful.map((u) => u.seq),
          useful.map((u) => u.state),
          useful.map((u) => RANK[u.state]),
          useful.map((u) => u.providerMessageId ?? null),
          useful.map((u) => u.errorCode ?? null),
          useful.map((u) => u.errorTitle ?? null),
        ],
        'broadcast_apply',
      );
      // A provider message id learnt after the state moved on (the `sent` event after `read`).
      const ids = useful.filter((u) => u.providerMessageId);
      if (ids.length > 0) {
        await db.query(
          `UPDATE broadcast_recipients r SET provider_message_id = x.pid
           FROM unnest($1::text[], $2::int[], $3::text[]) AS x(broadcast_id, seq, pid)
           WHERE r.broadcast_id = x.broadcast_id AND r.seq = x.seq AND r.provider_message_id IS NULL`,
          [ids.map((u) => u.broadcastId), ids.map((u) => u.seq), ids.map((u) => u.providerMessageId)],
          'broadcast_apply_ids',
        );
      }
      if (onChange) {
        const byState = new Map<RecipientState, number>();
        for (const m of moved) byState.set(m.state, (byState.get(m.state) ?? 0) + 1);
        for (const [state, n] of byState) onChange(state, n);
      }
      return moved.length;
    },
    async byProviderMessageId(ids: readonly string[]): Promise<Map<string, { broadcastId: string; seq: number }>> {
      const found = new Map<string, { broadcastId: string; seq: number }>();
      if (ids.length === 0) return found;
      const { rows } = await db.query<{ provider_message_id: string; broadcast_id: string; seq: number }>(
        `SELECT provider_message_id, broadcast_id, seq FROM broadcast_recipients
         WHERE provider_message_id = ANY($1::text[])`,
        [ids],
        'broadcast_by_provider_id',
      );
      for (const r of rows) found.set(r.provider_message_id, { broadcastId: r.broadcast_id, seq: r.seq });
      return found;
    },
  };
}
