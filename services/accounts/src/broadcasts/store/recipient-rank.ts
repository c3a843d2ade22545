import type { RecipientState } from './broadcast-rows.js';

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
