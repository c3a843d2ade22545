import type { Account, PaymentMethod } from '../billing/billing-provider.js';
import type { ConfirmInput, DecisionDeps, DecisionOutcome } from './decision-types.js';
import type { ReceiptRecord } from './receipt-store.js';

type Invalid = DecisionOutcome & { kind: 'invalid' };

/** What a confirm registers the payment on: the account, the back-office's method, the invoice. */
export interface ConfirmTarget {
  customerId: string;
  account: Account;
  method: PaymentMethod;
  invoiceId: string;
}

const methodOf = (methods: PaymentMethod[], wanted: string) => {
  const key = wanted.trim().toLowerCase();
  return methods.find((m) => m.id.toLowerCase() === key || m.name.toLowerCase() === key);
};

async function oldestPending(deps: Pick<DecisionDeps, 'billing'>, a: Account): Promise<string | undefined> {
  const pending = (await deps.billing.invoices(a)).filter((i) => i.state === 'pending');
  return pending.sort((x, y) => (x.dueOn ?? '').localeCompare(y.dueOn ?? ''))[0]?.id;
}

/**
 * The account, method and invoice a confirm names (or the receipt's account and its oldest
 * pending invoice), asked of the back-office, or why not. `refuse` answers the refusals a
 * concurrent confirm of the same receipt can cause (it paid the invoice this one would
 * have picked).
 */
export async function confirmTarget(
  deps: Pick<DecisionDeps, 'billing'>,
  receipt: ReceiptRecord,
  input: ConfirmInput,
  refuse: (invalid: Invalid) => Promise<DecisionOutcome>,
): Promise<ConfirmTarget | DecisionOutcome> {
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
  const invoiceId = input.invoiceId ?? (await oldestPending(deps, account));
  if (!invoiceId)
    return refuse({
      kind: 'invalid',
      field: 'invoice_id',
      message: 'invoice_id: the account has no pending invoice',
    });
  return { customerId, account, method, invoiceId };
}
