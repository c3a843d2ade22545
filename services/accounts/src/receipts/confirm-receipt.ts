import { formatCop } from '../billing/money.js';
import { fill } from '../conversation/texts.js';
import { confirmTarget } from './confirm-target.js';
import { type ConfirmInput, type DecisionDeps, type DecisionOutcome, sameDecision } from './decision-types.js';
import { registerConfirmedPayment } from './register-confirmed-payment.js';
import type { ReceiptRecord } from './receipt-store.js';
import { replayRestored, restoredNotice } from './restored-notice.js';
import { tellDecision } from './tell-decision.js';

/**
 * Staff's confirm of a receipt: the receipt leaves `pending` in one conditional UPDATE
 * (`confirming`) before the payment is registered, so a second confirm can never register
 * a second payment; then `confirmed`, the customer told, and the restored notice when the
 * payment reactivated the service.
 */
export async function confirmReceipt(deps: DecisionDeps, id: string, input: ConfirmInput): Promise<DecisionOutcome> {
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
    await replayRestored(deps, current);
    return { kind: 'done', receipt: current, replayed: true };
  };
  if (receipt.state !== 'pending') return decided(receipt);
  // A refusal may come from a concurrent confirm of this very receipt (it paid the invoice
  // this one would have picked): then the answer is that confirm's, not a 422.
  const target = await confirmTarget(deps, receipt, input, async (invalid) => {
    const now = await deps.receipts.get(id);
    return now && now.state !== 'pending' ? decided(now) : invalid;
  });
  if ('kind' in target) return target;

  const claimed = await deps.receipts.beginConfirm(id, {
    ...decision,
    customer_id: target.customerId,
    invoice_id: target.invoiceId,
  });
  if (!claimed) {
    const now = await deps.receipts.get(id);
    return now ? { kind: 'conflict', receipt: now } : { kind: 'not_found' };
  }
  const registered = await registerConfirmedPayment(deps, id, input, target);
  if (registered.kind !== 'registered') return registered;
  const { result } = registered;
  const done = await deps.receipts.finishConfirm(id, {
    invoice_id: target.invoiceId,
    method_id: target.method.id,
    reactivated: result.reactivated,
    messages: result.messages,
    ...(result.taskId ? { task_id: result.taskId } : {}),
  });
  const final = done ?? (await deps.receipts.get(id));
  if (!final) return { kind: 'not_found' };
  deps.metrics.receipt('confirmed');
  const t = deps.texts[final.language];
  await tellDecision(
    deps.outbound,
    final,
    'receipt_confirmed',
    fill(result.reactivated ? t.receiptConfirmedReactivated : t.receiptConfirmed, {
      amount: formatCop(input.amountMinor),
      reference: input.reference,
    }),
  );
  if (result.reactivated) await restoredNotice(deps, final, target.account, target.invoiceId);
  return { kind: 'done', receipt: final, replayed: false };
}
