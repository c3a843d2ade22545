import type { Database } from '@helpline/runtime';
import {
  type BroadcastRow,
  type ClaimedRecipient,
  type RawBroadcast,
  type RawRecipient,
  type RecipientState,
  toClaimed,
  toRow,
} from './broadcast-rows.js';

/**
 * A broadcast's own state: started when its time comes (`due`), `cancelled` with its
 * pending recipients, `done` when nothing is left to hand out. `onChange` counts the
 * recipients a cancel moved.
 */
export function createBroadcastLifecycle(db: Database, onChange?: (state: RecipientState, count: number) => void) {
  return {
    async due(now: Date): Promise<BroadcastRow[]> {
      const { rows } = await db
        .query<RawBroadcast>(
          `UPDATE broadcasts SET state = 'running' WHERE state = 'scheduled' AND start_at <= $1`,
          [now],
          'broadcast_start',
        )
        .then(() =>
          db.query<RawBroadcast>(
            `SELECT * FROM broadcasts WHERE state = 'running' ORDER BY start_at, broadcast_id`,
            [],
            'broadcast_due',
          ),
        );
      return rows.map(toRow);
    },
    async cancel(id: string, now: Date): Promise<{ row?: BroadcastRow; queued: ClaimedRecipient[] }> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<RawBroadcast>(
          `UPDATE broadcasts SET state = 'cancelled', cancelled_at = $2
           WHERE broadcast_id = $1 AND state IN ('scheduled', 'running') RETURNING *`,
          [id, now],
          'broadcast_cancel',
        );
        if (!rows[0]) return { queued: [] };
        const stopped = await client.query(
          `UPDATE broadcast_recipients SET state = 'cancelled', updated_at = $2
           WHERE broadcast_id = $1 AND state = 'pending'`,
          [id, now],
          'broadcast_cancel_pending',
        );
        if (stopped.rowCount) onChange?.('cancelled', stopped.rowCount);
        const queued = await client.query<RawRecipient>(
          `SELECT broadcast_id, seq, phone, customer_id, name FROM broadcast_recipients
           WHERE broadcast_id = $1 AND state = 'queued'`,
          [id],
          'broadcast_cancel_queued',
        );
        return { row: toRow(rows[0]), queued: queued.rows.map(toClaimed) };
      }, 'broadcast_cancel');
    },
    async finish(now: Date): Promise<string[]> {
      const { rows } = await db.query<{ broadcast_id: string }>(
        `UPDATE broadcasts b SET state = 'done', finished_at = $1
         WHERE state = 'running' AND NOT EXISTS (
           SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.broadcast_id AND r.state = 'pending')
         RETURNING broadcast_id`,
        [now],
        'broadcast_finish',
      );
      return rows.map((r) => r.broadcast_id);
    },
  };
}
