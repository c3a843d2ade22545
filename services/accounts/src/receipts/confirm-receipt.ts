// Staff confirm a receipt: what it pays (the account, the method, the invoice), the receipt
// claimed out of `pending` before the back-office is called, the payment registered, the
// customer told.
import { isPermanentError } from '@helpline/runtime';
import type { Account, BillingProvider, PaymentMethod } from '../billing/billing-provider.js';
import { formatCop } from '../billing/money.js';
import { fill } from '../conversation/texts.js';
import type { ConfirmInput, DecisionDeps, DecisionOutcome } from './receipt-decisions.js';
import type { ReceiptReplies } from './receipt-replies.js';
import type { ReceiptRecord } from './receipt-store.js';

type Invalid = DecisionOutcome & { kind: 'invalid' };

/** What a confirm pays, once every part of it is known. */
interface Payment {
  customerId: string;
  account: Account;
  method: PaymentMethod;
  invoiceId: string;
}

export const sameDecision = (a: Record<string, unknown> | null, b: Record<string, unknown>) =>
  a !== null && Object.entries(b).every(([k, v]) => a[k] === v);

const methodOf = (methods: PaymentMethod[], wanted: string) => {
  const key = wanted.trim().toLowerCase();
  return methods.find((m) => m.id.toLowerCase() === key || m.name.toLowerCase() === key);
};

async function oldestPending(billing: BillingProvider, a: Account): Promise<string | undefined> {
  const pending = (await billing.invoices(a)).filter((i) => i.state === 'pending');
  return pending.sort((x, y) => (x.dueOn ?? '').localeCompare(y.dueOn ?? ''))[0]?.id;
}

/** The account, method and invoice the confirm pays; or why it cannot (`refuse` checks for a concurrent confirm first). */
async function paymentOf(
  deps: DecisionDeps,
  receipt: ReceiptRecord,
  input: ConfirmInput,
  refuse: (invalid: Invalid) => Promise<DecisionOutcome>,
): Promise<Payment | DecisionOutcome> {
  const customerId = input.customerId ?? receipt.customerId ?? undefined;
  if (!customerId) {
    return {
      kind: 'invalid',
      field: 'customer_id',
      message: 'customer_id: the receipt names no account; give one',
    };
  }
  const account = (await deps.billing.findAccounts({ customerId })).find((a) => a.customerId === customerId);
  if (!account)
    return refuse({ kind: 'invalid', field: 'customer_id', message: `customer_id: no account ${customerId}` });
  const methods = await deps.billing.paymentMethods();
  const method = methodOf(methods, input.method);
  if (!method) {
    return {
      kind: 'invalid',
      field: 'method',
      message: `method: expected one of ${methods.map((m) => `${m.id} (${m.name})`).join(', ')}`,
      details: methods,
    };
  }
  const invoiceId = input.invoiceId ?? (await oldestPending(deps.billing, account));
  if (!invoiceId)
    return refuse({
      kind: 'invalid',
      field: 'invoice_id',
      message: 'invoice_id: the account has no pending invoice',
    });
  return { customerId, account, method, invoiceId };
}

/** Claims the receipt, registers the payment in the back-office, records it and tells the customer. */
async function registerPayment(
  deps: DecisionDeps,
  replies: ReceiptReplies,
  id: string,
  input: ConfirmInput,
  decision: Record<string, string>,
  payment: Payment,
): Promise<DecisionOutcome> {
  const { customerId, account, method, invoiceId } = payment;
  const claimed = await deps.receipts.beginConfirm(id, {
    ...decision,
    customer_id: customerId,
    invoice_id: invoiceId,
  });
  if (!claimed) {
    const now = await deps.receipts.get(id);
    return now ? { kind: 'conflict', receipt: now } : { kind: 'not_found' };
  }
  const reactivate = account.status === 'suspended';
  let result: Awaited<ReturnType<BillingProvider['registerPayment']>>;
  try {
    result = await deps.billing.registerPayment({
      account,
      invoiceId,
      amountMinor: input.amountMinor,
      methodId: method.id,
      reference: input.reference,
      paidAt: deps.clock(),
      reactivate,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isPermanentError(error)) {
      await deps.receipts.abandonConfirm(id, { error: message, at: deps.clock().toISOString() });
      return { kind: 'backoffice_refused', message };
    }
    // The call may have reached the back-office: only staff, looking there, can tell.
    await deps.receipts.markUncertain(id, { error: message, uncertain: true, at: deps.clock().toISOString() });
    return {
      kind: 'backoffice_uncertain',
      message: `${message}; the payment may or may not be registered: check the back-office before anything else`,
    };
  }
  const done = await deps.receipts.finishConfirm(id, {
    invoice_id: invoiceId,
    method_id: method.id,
    reactivated: result.reactivated,
    messages: result.messages,
    ...(result.taskId ? { task_id: result.taskId } : {}),
  });
  const final = done ?? (await deps.receipts.get(id));
  if (!final) return { kind: 'not_found' };
  deps.metrics.receipt('confirmed');
  const t = deps.texts[final.language];
  await replies.tell(
    final,
    'receipt_confirmed',
    fill(result.reactivated ? t.receiptConfirmedReactivated : t.receiptConfirmed, {
      amount: formatCop(input.amountMinor),
      reference: input.reference,
    }),
  );
  if (result.reactivated) await replies.restoredNotice(final, account, invoiceId);
  return { kind: 'done', receipt: final, replayed: false };
}

export function createConfirmReceipt(deps: DecisionDeps, replies: ReceiptReplies) {
  return async function confirm(id: string, input: ConfirmInput): Promise<DecisionOutcome> {
    const receipt = await deps.receipts.get(id);
    if (!receipt) return { kind: 'not_found' };
    const decision = {
      action: 'confirm',
      amount_minor: input.amountMinor.toString(),
      method: input.method,
      reference: input.reference,
    };
    const decided = async (current: ReceiptRecord): Promise<DecisionOutcome> => {
      if (!(current.state === 'confirmed' && sameDecision(current.decision, decision))) {
        return { kind: 'conflict', receipt: current };
      }
      // The same confirm again (staff retrying after an error): the restored notice, if the
      // first try could not queue it, goes now; the ledger keeps it to one.
      await replies.replayRestored(current);
      return { kind: 'done', receipt: current, replayed: true };
    };
    if (receipt.state !== 'pending') return decided(receipt);
    // A refusal below may come from a concurrent confirm of this very receipt (it paid the
    // invoice this one would have picked): then the answer is that confirm's, not a 422.
    const refuse = async (invalid: DecisionOutcome & { kind: 'invalid' }): Promise<DecisionOutcome> => {
      const now = await deps.receipts.get(id);
      return now && now.state !== 'pending' ? decided(now) : invalid;
    };
    const payment = await paymentOf(deps, receipt, input, refuse);
    if ('kind' in payment) return payment;
    return registerPayment(deps, replies, id, input, decision, payment);
  };
}
