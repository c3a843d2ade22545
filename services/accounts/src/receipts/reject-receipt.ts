import { fill } from '../conversation/texts.js';
import { type DecisionDeps, type DecisionOutcome, sameDecision } from './decision-types.js';
import { tellDecision } from './tell-decision.js';

/** Staff's reject of a pending receipt, in one conditional UPDATE; the customer told why, once. */
export async function rejectReceipt(deps: DecisionDeps, id: string, reason: string): Promise<DecisionOutcome> {
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
  await tellDecision(
    deps.outbound,
    receipt,
    'receipt_rejected',
    fill(t.receiptRejected, { receipt: receipt.id, reason }),
  );
  return { kind: 'done', receipt, replayed: false };
}
