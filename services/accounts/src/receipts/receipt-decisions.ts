import { jobIds } from '@helpline/contracts';
import { isPermanentError, type Producer } from '@helpline/runtime';
import type { Account, BillingProvider, PaymentMethod } from '../billing/billing-provider.js';
import { formatCop } from '../billing/money.js';
import { fill, type TextBook } from '../conversation/texts.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { Notices } from '../notices/notices.js';
import { chatsOf } from '../notices/run-notices.js';
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

const sameDecision = (a: Record<string, unknown> | null, b: Record<string, unknown>) =>
  a !== null && Object.entries(b).every(([k, v]) => a[k] === v);

/**
 * Staff's decisions on a receipt, each exactly once: the receipt moves out of `pending` in
 * one conditional UPDATE before anything else happens, so a second confirm (a double
 * click, two operators) can never register a second payment. The same decision again
 * answers the first result; a different one is a conflict.
 */
export function createReceiptDecisions(deps: DecisionDeps) {
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

  const methodOf = (methods: PaymentMethod[], wanted: string) => {
    const key = wanted.trim().toLowerCase();
    return methods.find((m) => m.id.toLowerCase() === key || m.name.toLowerCase() === key);
  };

  return {
    async confirm(id: string, input: ConfirmInput): Promise<DecisionOutcome> {
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
        await replayRestored(current);
        return { kind: 'done', receipt: current, replayed: true };
      };
      if (receipt.state !== 'pending') return decided(receipt);
      // A refusal below may come from a concurrent confirm of this very receipt (it paid the
      // invoice this one would have picked): then the answer is that confirm's, not a 422.
      const refuse = async (invalid: DecisionOutcome & { kind: 'invalid' }): Promise<DecisionOutcome> => {
        const now = await deps.receipts.get(id);
        return now && now.state !== 'pending' ? decided(now) : invalid;
      };
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
      const invoiceId = input.invoiceId ?? (await oldestPending(account));
      if (!invoiceId)
        return refuse({
          kind: 'invalid',
          field: 'invoice_id',
          message: 'invoice_id: the account has no pending invoice',
        });

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
      await tell(
        final,
        'receipt_confirmed',
        fill(result.reactivated ? t.receiptConfirmedReactivated : t.receiptConfirmed, {
          amount: formatCop(input.amountMinor),
          reference: input.reference,
        }),
      );
      if (result.reactivated) await restoredNotice(final, account, invoiceId);
      return { kind: 'done', receipt: final, replayed: false };

      async function oldestPending(a: Account): Promise<string | undefined> {
        const pending = (await deps.billing.invoices(a)).filter((i) => i.state === 'pending');
        return pending.sort((x, y) => (x.dueOn ?? '').localeCompare(y.dueOn ?? ''))[0]?.id;
      }
    },

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
      await tell(receipt, 'receipt_rejected', fill(t.receiptRejected, { receipt: receipt.id, reason }));
      return { kind: 'done', receipt, replayed: false };
    },
  };
}
export type ReceiptDecisions = ReturnType<typeof createReceiptDecisions>;
