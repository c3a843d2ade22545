import type { Database } from '@helpline/runtime';
import type { BillingProvider } from './billing-provider.js';
import { findLocalAccounts } from './local/local-accounts.js';
import { localPaymentMethods, localPlans } from './local/local-catalogue.js';
import { createLocalInvoices } from './local/local-invoices.js';
import { registerLocalPayment } from './local/local-payments.js';

/**
 * The built-in back-office: the accounts schema in PostgreSQL, filled by `npm run import`;
 * assembled from its parts (`local/`): customers, invoices, catalogue, payments.
 */
export function createLocalBilling(db: Database): BillingProvider {
  const invoices = createLocalInvoices(db);
  return {
    name: 'local',
    findAccounts: (ref) => findLocalAccounts(db, ref),
    invoices: invoices.invoices,
    pendingInvoicesDue: invoices.pendingInvoicesDue,
    invoice: invoices.invoice,
    plans: () => localPlans(db),
    paymentMethods: () => localPaymentMethods(db),
    registerPayment: (input) => registerLocalPayment(db, input),
  };
}
