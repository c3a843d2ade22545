import type { WisphubClient } from '@helpline/directory';
import type { BillingProvider } from './billing-provider.js';
import { createWisphubCatalogue } from './wisphub/wisphub-catalogue.js';
import { createWisphubClients } from './wisphub/wisphub-clients.js';
import { createWisphubInvoices } from './wisphub/wisphub-invoices.js';
import { registerWisphubPayment } from './wisphub/wisphub-payments.js';

export { wisphubDateTime } from './wisphub/wisphub-payments.js';
export { invoiceState } from './wisphub/wisphub-records.js';

/**
 * WispHub as the back-office, from what its public integrations report (see
 * docs/services/accounts.md for each fact and how sure it is):
 * - clients from the list `GET /api/clientes/?telefono=|cedula=|id_servicio=`: only the list
 *   carries `saldo`, `estado_facturas` and `fecha_corte` (the detail `/api/clientes/{id}/`
 *   does not), so a customer id is looked up through the list too;
 * - invoices `GET /api/facturas/?cliente=<usuario>&estado=N` filtered by the client's
 *   `usuario` (an id silently matches nothing), `estado` 1 pending, 2 paid, 3 cancelled,
 *   4 in review, 5 transferred; without a `fecha_vencimiento__range_0/_1` a default window of
 *   recent months applies, so a range is always passed;
 * - `POST /api/facturas/{id}/registrar-pago/` with `total_cobrado`, `accion` (0 register,
 *   1 register and reactivate), `forma_pago` (an id of `GET /api/formas-de-pago/`),
 *   `referencia`, `fecha_pago` (`YYYY-MM-DD hh:mm`); answered `{messages, task_id}`;
 * - the notices list every client's pending invoices in a due-date range with the same
 *   `GET /api/facturas/?estado=1&fecha_vencimiento__range_0=&fecha_vencimiento__range_1=`
 *   (no `cliente`), then each invoice's client through the client list by `id_servicio`
 *   (or `usuario` when the invoice names only that);
 * - plans `GET /api/plan-internet/` (id, nombre, tipo), price and speeds in
 *   `/api/plan-internet/pppoe/{id}/` or `/api/plan-internet/queue/{id}/`.
 * WispHub ignores a filter it does not know and lists everything: every row is re-checked.
 * No invoice PDF, plan-change or WiFi-password endpoint is known, so none is called.
 */

export interface WisphubBillingOptions {
  client: WisphubClient;
  timeZone: string;
  clock?: () => Date;
  /** Invoices due this many days back and ahead are asked for (WispHub's default window is shorter). */
  invoiceWindowDays?: { back: number; ahead: number };
  /** How long the plan catalogue and payment methods are kept before asking again. */
  catalogueTtlMs?: number;
}

/** The billing provider assembled from its parts (`wisphub/`): clients, invoices, catalogue, payments. */
export function createWisphubBilling(options: WisphubBillingOptions): BillingProvider {
  const { client } = options;
  const clock = options.clock ?? (() => new Date());
  const clients = createWisphubClients(client);
  const invoices = createWisphubInvoices({
    client,
    clients: clients.clients,
    clock,
    window: options.invoiceWindowDays ?? { back: 730, ahead: 365 },
  });
  const catalogue = createWisphubCatalogue(client, clock, options.catalogueTtlMs ?? 10 * 60_000);
  return {
    name: 'wisphub',
    breaker: client.breaker,
    findAccounts: clients.findAccounts,
    invoices: invoices.invoices,
    pendingInvoicesDue: invoices.pendingInvoicesDue,
    invoice: invoices.invoice,
    plans: catalogue.plans,
    paymentMethods: catalogue.paymentMethods,
    registerPayment: (input) => registerWisphubPayment(client, options.timeZone, input),
  };
}
