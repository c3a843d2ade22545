import { confirmReceipt } from './confirm-receipt.js';
import type { ConfirmInput, DecisionDeps, DecisionOutcome } from './decision-types.js';
import { rejectReceipt } from './reject-receipt.js';

export type { ConfirmInput, DecisionDeps, DecisionOutcome } from './decision-types.js';

/**
 * Staff's decisions on a receipt, each exactly once: the receipt moves out of `pending` in
 * one conditional UPDATE before anything else happens, so a second confirm (a double
 * click, two operators) can never register a second payment. The same decision again
 * answers the first result; a different one is a conflict.
 */
export function createReceiptDecisions(deps: DecisionDeps) {
  return {
    confirm: (id: string, input: ConfirmInput): Promise<DecisionOutcome> => confirmReceipt(deps, id, input),
    reject: (id: string, reason: string): Promise<DecisionOutcome> => rejectReceipt(deps, id, reason),
  };
}
export type ReceiptDecisions = ReturnType<typeof createReceiptDecisions>;
