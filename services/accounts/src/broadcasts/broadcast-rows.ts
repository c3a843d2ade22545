// The rows of the broadcast tables as the store reads them, and the order a recipient's
// states move in.
import type { BroadcastRow, BroadcastState, ClaimedRecipient } from './broadcast-store.js';

/** What happened to one recipient; the order of `RECIPIENT_STATES` is not a ranking. */
export const RECIPIENT_STATES = [
  'pending',
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped_opted_out',
  'skipped_no_consent',
  'skipped_window',
  'cancelled',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/**
 * A recipient's state only moves forward: statuses arrive out of order (Meta may report
 * `read` before `delivered`, a `sent` webhook may come after the gateway's own record), so
 * a later fact never takes a recipient back. Final states (failed, skipped, cancelled) are
 * never left.
 */
export const RANK_SQL = `CASE state WHEN 'pending' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2
  WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE 5 END`;
export const RANK: Record<RecipientState, number> = {
  pending: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  skipped_opted_out: 5,
  skipped_no_consent: 5,
  skipped_window: 5,
  cancelled: 5,
};

export interface RawBroadcast {
  broadcast_id: string;
  state: BroadcastState;
  kind: 'template' | 'text';
  content: unknown;
  audience: unknown;
  source: string;
  start_at: Date;
  created_at: Date;
  cancelled_at: Date | null;
  finished_at: Date | null;
  total: number;
}

export const toRow = (r: RawBroadcast): BroadcastRow => ({
  id: r.broadcast_id,
  state: r.state,
  kind: r.kind,
  content: r.content,
  audience: r.audience,
  source: r.source,
  startAt: r.start_at.toISOString(),
  createdAt: r.created_at.toISOString(),
  cancelledAt: r.cancelled_at?.toISOString() ?? null,
  finishedAt: r.finished_at?.toISOString() ?? null,
  total: r.total,
});

export const zeroCounts = (): Record<RecipientState, number> =>
  Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as Record<RecipientState, number>;

export const toClaimed = (r: RawRecipient): ClaimedRecipient => ({
  broadcastId: r.broadcast_id,
  seq: r.seq,
  phone: r.phone,
  customerId: r.customer_id,
  name: r.name,
});

/** A recipient row as the claim, stale and cancel queries return it. */
export interface RawRecipient {
  broadcast_id: string;
  seq: number;
  phone: string;
  customer_id: string | null;
  name: string | null;
}
