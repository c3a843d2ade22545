// What a decision on a receipt tells the customer: the confirmation or rejection in their
// chat, and the restored notice when the payment reactivated the service.
import { jobIds } from '@helpline/contracts';
import type { Account } from '../billing/billing-provider.js';
import { chatsOf } from '../notices/run-notices.js';
import type { DecisionDeps } from './receipt-decisions.js';
import type { ReceiptRecord } from './receipt-store.js';

export function createReceiptReplies(deps: Pick<DecisionDeps, 'outbound' | 'notices' | 'billing' | 'countryCode'>) {
  const tell = async (receipt: ReceiptRecord, purpose: 'receipt_confirmed' | 'receipt_rejected', body: string) => {
    const correlationId = `receipt-${receipt.id}`;
    await deps.outbound.add(
      {
        correlationId,
        purpose,
        channel: 'cloud',
        channelFromChat: true,
        to: receipt.chatId,
        content: { kind: 'text', body },
        ...(receipt.customerId ? { meta: { customerId: receipt.customerId } } : {}),
      },
      { jobId: jobIds.outbound(correlationId, purpose) },
    );
  };

  // The confirmation above is the answer the customer asked for; the restored notice is the
  // notice about the service (marked, so an opt-out holds it back). A failure to queue it
  // does not undo the confirmation: it is logged by the caller's error path when thrown.
  const restoredNotice = async (receipt: ReceiptRecord, account: Account, invoiceId: string) => {
    if (!deps.notices) return;
    await deps.notices.restored({
      customerId: account.customerId,
      invoiceId,
      chatId: receipt.chatId,
      language: receipt.language,
      otherChatIds: chatsOf(account, deps.countryCode),
      customerName: account.name?.trim().split(/\s+/)[0] ?? account.customerId,
    });
  };

  const replayRestored = async (receipt: ReceiptRecord) => {
    const customerId = receipt.decision?.customer_id;
    const invoiceId = receipt.result?.invoice_id;
    if (!deps.notices || receipt.result?.reactivated !== true) return;
    if (typeof customerId !== 'string' || typeof invoiceId !== 'string') return;
    const account = (await deps.billing.findAccounts({ customerId })).find((a) => a.customerId === customerId);
    if (account) await restoredNotice(receipt, account, invoiceId);
  };

  return { tell, restoredNotice, replayRestored };
}

export type ReceiptReplies = ReturnType<typeof createReceiptReplies>;
