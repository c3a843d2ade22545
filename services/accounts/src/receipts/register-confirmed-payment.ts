import { isPermanentError } from '@helpline/runtime';
import type { BillingProvider } from '../billing/billing-provider.js';
import type { ConfirmTarget } from './confirm-target.js';
import type { ConfirmInput, DecisionDeps, DecisionOutcome } from './decision-types.js';

type PaymentResult = Awaited<ReturnType<BillingProvider['registerPayment']>>;

/**
 * The payment of a claimed (`confirming`) receipt registered in the back-office. A refusal
 * puts the receipt back to `pending`; any other failure leaves it `confirming` and marked
 * uncertain, since the call may have reached the back-office: only staff, looking there,
 * can tell.
 */
export async function registerConfirmedPayment(
  deps: Pick<DecisionDeps, 'billing' | 'receipts' | 'clock'>,
  id: string,
  input: ConfirmInput,
  target: ConfirmTarget,
): Promise<{ kind: 'registered'; result: PaymentResult } | DecisionOutcome> {
  const { account, invoiceId, method } = target;
  const reactivate = account.status === 'suspended';
  try {
    const result = await deps.billing.registerPayment({
      account,
      invoiceId,
      amountMinor: input.amountMinor,
      methodId: method.id,
      reference: input.reference,
      paidAt: deps.clock(),
      reactivate,
    });
    return { kind: 'registered', result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isPermanentError(error)) {
      await deps.receipts.abandonConfirm(id, { error: message, at: deps.clock().toISOString() });
      return { kind: 'backoffice_refused', message };
    }
    await deps.receipts.markUncertain(id, { error: message, uncertain: true, at: deps.clock().toISOString() });
    return {
      kind: 'backoffice_uncertain',
      message: `${message}; the payment may or may not be registered: check the back-office before anything else`,
    };
  }
}
