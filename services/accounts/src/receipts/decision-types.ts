import type { Producer } from '@helpline/runtime';
import type { BillingProvider } from '../billing/billing-provider.js';
import type { TextBook } from '../conversation/texts.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { Notices } from '../notices/notices.js';
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

/** Whether a decided receipt's decision is this one (every field given equal). */
export const sameDecision = (a: Record<string, unknown> | null, b: Record<string, unknown>) =>
  a !== null && Object.entries(b).every(([k, v]) => a[k] === v);
