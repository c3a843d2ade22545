import type { Database } from '@helpline/runtime';
import {
  type BroadcastRow,
  type BroadcastState,
  type NewBroadcast,
  type RawBroadcast,
  toRow,
} from './broadcast-rows.js';

/** A broadcast and all its recipients in one transaction: scheduled when it starts later, else running. */
export function createBroadcast(db: Database, b: NewBroadcast, now: Date): Promise<BroadcastRow> {
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
}
