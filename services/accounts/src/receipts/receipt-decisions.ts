import type { Producer } from '@helpline/runtime';
import type { BillingProvider } from '../billing/billing-provider.js';
import { fill, type TextBook } from '../conversation/texts.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { Notices } from '../notices/notices.js';
import { createConfirmReceipt, sameDecision } from './confirm-receipt.js';
import { createReceiptReplies } from './receipt-replies.js';
import type { ReceiptRecord, ReceiptStore } from './receipt-store.js';

export interface ConfirmInput {
  amountMinor: bigint;
  method: string;
  reference: string;
  customerId?: string;
  invoiceId?: string;
}

export type DecisionOutcome =
  | { kind: 'done'; receipt: ReceiptRecord; replayed: boolean }
  | { kind: 'not_found' }
  | { kind: 'conflict'; receipt: ReceiptRecord }
  | { kind: 'invalid'; field: string; message: string; details?: unknown }
  | { kind: 'backoffice_refused'; message: string }
  | { kind: 'backoffice_uncertain'; message: string };

export interface DecisionDeps {
  receipts: ReceiptStore;
  billing: BillingProvider;
  outbound: Producer<'outbound'>;
  texts: TextBook;
  metrics: AccountsMetrics;
  clock: () => Date;
  /** The `restored` notice when a confirmed payment reactivated the service (issue 16). */
  notices?: Pick<Notices, 'restored'>;
  /** The country code of the back-office's national phone numbers (the account's other chats). */
  countryCode: string;
}

/**
 * Staff's decisions on a receipt, each exactly once: the receipt moves out of `pending` in
 * one conditional UPDATE before anything else happens, so a second confirm (a double
 * click, two operators) can never register a second payment. The same decision again
 * answers the first result; a different one is a conflict. Confirming is
 * confirm-receipt.ts; what the customer is told, receipt-replies.ts.
 */
export function createReceiptDecisions(deps: DecisionDeps) {
  const replies = createReceiptReplies(deps);
  return {
    confirm: createConfirmReceipt(deps, replies),

    async reject(id: string, reason: string): Promise<DecisionOutcome> {
      const decision = { action: 'reject', reason };
      const rejected = await deps.receipts.reject(id, decision);
      const receipt = rejected ?? (await deps.receipts.get(id));
      if (!receipt) return { kind: 'not_found' };
      if (!rejected) {
        return receipt.state === 'rejected' && sameDecision(receipt.decision, decision)
          ? { kind: 'done', receipt, replayed: true }
          : { kind: 'conflict', receipt };
      }
      deps.metrics.receipt('rejected');
      const t = deps.texts[receipt.language];
      await replies.tell(receipt, 'receipt_rejected', fill(t.receiptRejected, { receipt: receipt.id, reason }));
      return { kind: 'done', receipt, replayed: false };
    },
  };
}
export type ReceiptDecisions = ReturnType<typeof createReceiptDecisions>;
