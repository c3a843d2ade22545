// A broadcast's life: created with its recipients, started when due, cancelled, done once
// nothing is left to hand out.
import type { Database } from '@helpline/runtime';
import type { BroadcastState, BroadcastStore, BroadcastStoreHooks } from './broadcast-store.js';
import { type RawBroadcast, type RawRecipient, toClaimed, toRow } from './broadcast-rows.js';

export function createBroadcastLifecycle(
  db: Database,
  hooks: BroadcastStoreHooks,
): Pick<BroadcastStore, 'create' | 'due' | 'cancel' | 'finish'> {
  return {
    async create(b, now) {
      return db.transaction(async (client) => {
        const state: BroadcastState = b.startAt.getTime() > now.getTime() ? 'scheduled' : 'running';
        const { rows } = await client.query<RawBroadcast>(
          `INSERT INTO broadcasts (broadcast_id, state, kind, content, audience, source, start_at, created_at, total)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
          [
            b.id,
            state,
            b.kind,
            JSON.stringify(b.content),
            JSON.stringify(b.audience),
            b.source,
            b.startAt,
            now,
            b.recipients.length,
          ],
          'broadcast_create',
        );
        // One statement for every recipient: a 50,000-number broadcast is one round trip.
        await client.query(
          `INSERT INTO broadcast_recipients (broadcast_id, seq, phone, customer_id, name, updated_at)
           SELECT $1, s.seq, s.phone, s.customer_id, s.name, $5
           FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s(phone, customer_id, name, seq)`,
          [
            b.id,
            b.recipients.map((r) => r.phone),
            b.recipients.map((r) => r.customerId ?? null),
            b.recipients.map((r) => r.name ?? null),
            now,
          ],
          'broadcast_recipients_create',
        );
        return toRow(rows[0] as RawBroadcast);
      }, 'broadcast_create');
    },

    async due(now) {
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

    async cancel(id, now) {
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
        if (stopped.rowCount) hooks.onChange?.('cancelled', stopped.rowCount);
        const queued = await client.query<RawRecipient>(
          `SELECT broadcast_id, seq, phone, customer_id, name FROM broadcast_recipients
           WHERE broadcast_id = $1 AND state = 'queued'`,
          [id],
          'broadcast_cancel_queued',
        );
        return { row: toRow(rows[0]), queued: queued.rows.map(toClaimed) };
      }, 'broadcast_cancel');
    },

    async finish(now) {
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
