import type { CustomerReference } from '@helpline/contracts';
import type { AccountState, WisphubCall } from '@helpline/directory';
import type { CircuitBreaker } from '@helpline/runtime';

export type InvoiceState = 'pending' | 'paid' | 'cancelled' | 'in_review' | 'transferred';

/** One account as the customer is told it (and as staff see it at /api/accounts/lookup). */
export interface Account {
  customerId: string;
  name?: string;
  phones: string[];
  documentNumber?: string;
  status: AccountState;
  /** Amount owed, in minor units; undefined when the back-office does not say. */
  balanceMinor?: bigint;
  /** The date the service is cut for non-payment (YYYY-MM-DD), if any. */
  cutoffDate?: string;
  plan?: { id?: string; name: string };
  city?: string;
  /** WispHub's `usuario`: what its invoices are filtered by. */
  backOfficeUser?: string;
}

export interface Invoice {
  id: string;
  number?: string;
  issuedOn?: string;
  dueOn?: string;
  totalMinor: bigint;
  state: InvoiceState;
  paidOn?: string;
  /** The back-office's own document of this invoice, sent instead of our statement. */
  documentUrl?: string;
  /** What the invoice charges for, line by line, when the back-office says. */
  lines?: { description: string; amountMinor: bigint }[];
}

export interface Plan {
  id: string;
  name: string;
  priceMinor?: bigint;
  /** Speeds as the back-office states them (`10M`, `20000k`, `15`), shown as given. */
  download?: string;
  upload?: string;
}

export interface PaymentMethod {
  id: string;
  name: string;
}

export interface PaymentInput {
  account: Account;
  invoiceId: string;
  amountMinor: bigint;
  methodId: string;
  reference: string;
  paidAt: Date;
  /** The service was cut: register and reactivate (WispHub `accion=1`). */
  reactivate: boolean;
}

export interface PaymentResult {
  /** What the back-office said (WispHub's messages), for the receipt record. */
  messages: string[];
  /** WispHub's asynchronous task id, when it gives one. */
  taskId?: string;
  reactivated: boolean;
}

/** A pending invoice and the account it belongs to, as the notices list them. */
export interface DueInvoice {
  account: Account;
  invoice: Invoice;
}

/**
 * A back-office: WispHub or the built-in store. Every method re-checks what it returns
 * against what was asked (WispHub ignores filters it does not know).
 */
export interface BillingProvider {
  readonly name: 'wisphub' | 'local';
  /** For /health. */
  readonly breaker?: CircuitBreaker<[WisphubCall], unknown>;
  findAccounts(reference: CustomerReference): Promise<Account[]>;
  /** Pending invoices and the last paid ones, newest first. */
  invoices(account: Account): Promise<Invoice[]>;
  invoice(account: Account, invoiceId: string): Promise<Invoice | undefined>;
  plans(): Promise<Plan[]>;
  paymentMethods(): Promise<PaymentMethod[]>;
  registerPayment(input: PaymentInput): Promise<PaymentResult>;
  /**
   * Every customer's pending invoices due between `from` and `to` (YYYY-MM-DD, both
   * included), each with its account: what the daily notices are chosen from.
   */
  pendingInvoicesDue(range: { from: string; to: string }): Promise<DueInvoice[]>;
}
