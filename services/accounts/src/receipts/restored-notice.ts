import type { Account } from '../billing/billing-provider.js';
import { chatsOf } from '../notices/run-notices.js';
import type { DecisionDeps } from './decision-types.js';
import type { ReceiptRecord } from './receipt-store.js';

type RestoredDeps = Pick<DecisionDeps, 'notices' | 'billing' | 'countryCode'>;

// The confirmation is the answer the customer asked for; the restored notice is the
// notice about the service (marked, so an opt-out holds it back). A failure to queue it
// does not undo the confirmation: it is logged by the caller's error path when thrown.
export async function restoredNotice(
  deps: RestoredDeps,
  receipt: ReceiptRecord,
  account: Account,
  invoiceId: string,
): Promise<void> {
  if (!deps.notices) return;
  await deps.notices.restored({
    customerId: account.customerId,
    invoiceId,
    chatId: receipt.chatId,
    language: receipt.language,
    otherChatIds: chatsOf(account, deps.countryCode),
    customerName: account.name?.trim().split(/\s+/)[0] ?? account.customerId,
  });
}

/**
 * The same confirm again (staff retrying after an error): the restored notice, if the first
 * try could not queue it, goes now, from what the confirmed receipt recorded; the notices'
 * ledger keeps it to one.
 */
export async function replayRestored(deps: RestoredDeps, receipt: ReceiptRecord): Promise<void> {
  const customerId = receipt.decision?.customer_id;
  const invoiceId = receipt.result?.invoice_id;
  if (!deps.notices || receipt.result?.reactivated !== true) return;
  if (typeof customerId !== 'string' || typeof invoiceId !== 'string') return;
  const account = (await deps.billing.findAccounts({ customerId })).find((a) => a.customerId === customerId);
  if (account) await restoredNotice(deps, receipt, account, invoiceId);
}
