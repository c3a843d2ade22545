import type { Database } from '@helpline/runtime';
import { addReceipt, type NewReceipt } from './add-receipt.js';
import { createReceiptReads } from './receipt-reads.js';
import { createReceiptTransitions } from './receipt-transitions.js';

export type { NewReceipt } from './add-receipt.js';
export type { ReceiptRecord, ReceiptState } from './receipt-record.js';

/** Receipts in PostgreSQL. Each state change is one conditional UPDATE: two staff clicks cannot both win. */
export function createReceiptStore(db: Database) {
  return {
    add: (receipt: NewReceipt) => addReceipt(db, receipt),
    ...createReceiptReads(db),
    ...createReceiptTransitions(db),
  };
}
export type ReceiptStore = ReturnType<typeof createReceiptStore>;
