import type { Database } from '@helpline/runtime';
import { type ClaimedRecipient, type RawRecipient, toClaimed } from './broadcast-rows.js';

/** Pending recipients taken for hand-out, and queued ones whose jobs are to be checked. */
export function createRecipientClaims(db: Database) {
  return {
    async claim(id: string, limit: number, now: Date): Promise<ClaimedRecipient[]> {
      const { rows } = await db.query<RawRecipient>(
        `UPDATE broadcast_recipients r SET state = 'queued', queued_at = $3, updated_at = $3
         FROM (SELECT broadcast_id, seq FROM broadcast_recipients
               WHERE broadcast_id = $1 AND state = 'pending'
                 AND EXISTS (SELECT 1 FROM broadcasts b WHERE b.broadcast_id = $1 AND b.state = 'running')
               ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED) picked
         WHERE r.broadcast_id = picked.broadcast_id AND r.seq = picked.seq AND r.state = 'pending'
         RETURNING r.broadcast_id, r.seq, r.phone, r.customer_id, r.name`,
        [id, limit, now],
        'broadcast_claim',
      );
      return rows.map(toClaimed).sort((a, b) => a.seq - b.seq);
    },
    async staleQueued(before: Date, limit: number): Promise<ClaimedRecipient[]> {
      const { rows } = await db.query<RawRecipient>(
        `SELECT broadcast_id, seq, phone, customer_id, name FROM broadcast_recipients
         WHERE state = 'queued' AND queued_at < $1 ORDER BY queued_at LIMIT $2`,
        [before, limit],
        'broadcast_stale',
      );
      return rows.map(toClaimed);
    },
  };
}
