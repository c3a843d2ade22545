import type { Histogram } from 'prom-client';
import type { BillingProvider } from './billing-provider.js';

/** Times every back-office call into helpline_backoffice_request_duration_seconds. */
export function timedBilling(
  provider: BillingProvider,
  histogram: Histogram<'provider' | 'operation' | 'outcome'>,
): BillingProvider {
  const time =
    <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const end = histogram.startTimer({ provider: provider.name, operation });
      try {
        const result = await fn(...args);
        end({ outcome: 'ok' });
        return result;
      } catch (error) {
        end({ outcome: 'error' });
        throw error;
      }
    };
  return {
    name: provider.name,
    ...(provider.breaker ? { breaker: provider.breaker } : {}),
    findAccounts: time('find_accounts', provider.findAccounts),
    invoices: time('invoices', provider.invoices),
    invoice: time('invoice', provider.invoice),
    plans: time('plans', provider.plans),
    paymentMethods: time('payment_methods', provider.paymentMethods),
    registerPayment: time('register_payment', provider.registerPayment),
    pendingInvoicesDue: time('pending_invoices_due', provider.pendingInvoicesDue),
  };
}
