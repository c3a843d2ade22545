import type { Database } from '@helpline/runtime';
import { COLUMNS, oneReceipt } from './receipt-record.js';

/**
 * A receipt's state changes, each one conditional UPDATE returning the changed record, or
 * undefined when the receipt was not in the state the change starts from: two staff clicks
 * cannot both win.
 */
export function createReceiptTransitions(db: Database) {
  return {
    /** pending -> confirming with the decision; undefined when the receipt was not pending. */
    beginConfirm: (id: string, decision: Record<string, unknown>) =>
      oneReceipt(
        db,
        `UPDATE receipts SET state = 'confirming', decision = $2, decided_at = now()
          WHERE receipt_id = $1 AND state = 'pending' RETURNING ${COLUMNS}`,
        [id, decision],
        'receipt_begin_confirm',
      ),
    finishConfirm: (id: string, result: Record<string, unknown>) =>
      oneReceipt(
        db,
        `UPDATE receipts SET state = 'confirmed', result = $2 WHERE receipt_id = $1 AND state = 'confirming' RETURNING ${COLUMNS}`,
        [id, result],
        'receipt_finish_confirm',
      ),
    /** The back-office refused the payment (nothing was registered): back to pending, the refusal kept. */
    abandonConfirm: (id: string, result: Record<string, unknown>) =>
      oneReceipt(
        db,
        `UPDATE receipts SET state = 'pending', result = $2, decision = NULL, decided_at = NULL
          WHERE receipt_id = $1 AND state = 'confirming' RETURNING ${COLUMNS}`,
        [id, result],
        'receipt_abandon_confirm',
      ),
    /** The back-office's answer was lost: the payment may be in; staff check before anything else. */
    markUncertain: (id: string, result: Record<string, unknown>) =>
      oneReceipt(
        db,
        `UPDATE receipts SET result = $2 WHERE receipt_id = $1 AND state = 'confirming' RETURNING ${COLUMNS}`,
        [id, result],
        'receipt_uncertain',
      ),
    reject: (id: string, decision: Record<string, unknown>) =>
      oneReceipt(
        db,
        `UPDATE receipts SET state = 'rejected', decision = $2, decided_at = now()
          WHERE receipt_id = $1 AND state = 'pending' RETURNING ${COLUMNS}`,
        [id, decision],
        'receipt_reject',
      ),
  };
}
