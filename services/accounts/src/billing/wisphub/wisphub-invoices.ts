import { type WisphubClient, WisphubError } from '@helpline/directory';
import type { Account, DueInvoice, Invoice, InvoiceState } from '../billing-provider.js';
import type { WisphubClients } from './wisphub-clients.js';
import { belongsTo, day, invoiceState, STATE_BY_NUMBER, toInvoice, WisphubInvoice } from './wisphub-records.js';

export interface WisphubInvoicesOptions {
  client: WisphubClient;
  clients: WisphubClients['clients'];
  clock: () => Date;
  /** Invoices due this many days back and ahead are asked for (WispHub's default window is shorter). */
  window: { back: number; ahead: number };
}

/**
 * WispHub's invoices: a client's by its `usuario` (an id silently matches nothing) and state,
 * always with a due-date range (without one WispHub applies a short default window); the
 * notices' pending invoices of every client in a range; one invoice by id. Each row is
 * re-checked against what was asked, and an invoice naming no client is never shown.
 */
export function createWisphubInvoices({ client, clients, clock, window }: WisphubInvoicesOptions) {
  const dateRange = () => {
    const now = clock().getTime();
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    return {
      fecha_vencimiento__range_0: iso(now - window.back * 86_400_000),
      fecha_vencimiento__range_1: iso(now + window.ahead * 86_400_000),
    };
  };

  const invoicesIn = async (account: Account, estado: '1' | '2'): Promise<Invoice[]> => {
    const user = account.backOfficeUser;
    if (!user) throw new WisphubError('WispHub client has no usuario: its invoices cannot be asked for');
    const wanted = STATE_BY_NUMBER[estado] as InvoiceState;
    const rows = await client.list(
      '/api/facturas/',
      { cliente: user, estado, ...dateRange() },
      WisphubInvoice,
      (w) => belongsTo(w, account) && invoiceState(w.estado) === wanted,
    );
    return rows.map((w) => toInvoice(w, wanted));
  };

  return {
    async invoices(account: Account): Promise<Invoice[]> {
      const [pending, paid] = await Promise.all([invoicesIn(account, '1'), invoicesIn(account, '2')]);
      const byDue = (a: Invoice, b: Invoice) => (a.dueOn ?? '').localeCompare(b.dueOn ?? '');
      const lastPaid = paid
        .sort((a, b) => (b.paidOn ?? b.dueOn ?? '').localeCompare(a.paidOn ?? a.dueOn ?? ''))
        .slice(0, 2);
      return [...pending.sort(byDue).slice(0, 8), ...lastPaid];
    },
    pendingInvoicesDue: (range: { from: string; to: string }) => pendingInvoicesDue(client, clients, range),
    async invoice(account: Account, invoiceId: string): Promise<Invoice | undefined> {
      if (!/^\d{1,12}$/.test(invoiceId)) return undefined;
      const body = await client.get(`/api/facturas/${invoiceId}/`);
      if (body === undefined) return undefined;
      const parsed = WisphubInvoice.safeParse(body);
      if (!parsed.success) throw new WisphubError('WispHub invoice has an unexpected shape');
      const state = invoiceState(parsed.data.estado);
      // Another customer's invoice is not found, whatever its id.
      if (parsed.data.id_factura !== invoiceId || !belongsTo(parsed.data, account) || !state) return undefined;
      return toInvoice(parsed.data, state);
    },
  };
}

/**
 * Every client's pending invoices due in a range (the notices' day), with no `cliente`
 * filter, then each invoice's client through the client list by `id_servicio` (or `usuario`
 * when the invoice names only that).
 */
async function pendingInvoicesDue(
  client: WisphubClient,
  clients: WisphubClients['clients'],
  { from, to }: { from: string; to: string },
): Promise<DueInvoice[]> {
  const inRange = (w: WisphubInvoice) => {
    const due = day(w.fecha_vencimiento);
    return invoiceState(w.estado) === 'pending' && due !== undefined && due >= from && due <= to;
  };
  const rows = await client.list(
    '/api/facturas/',
    { estado: '1', fecha_vencimiento__range_0: from, fecha_vencimiento__range_1: to },
    WisphubInvoice,
    inRange,
  );
  // One client lookup per client, however many invoices it has.
  const accounts = new Map<string, Account | undefined>();
  const accountOf = async (w: WisphubInvoice): Promise<Account | undefined> => {
    const c = w.cliente;
    if (c === null || c === undefined) return undefined;
    const byId = typeof c === 'object' && c.id_servicio ? String(c.id_servicio) : undefined;
    const byUser = typeof c === 'object' ? (c.usuario ?? undefined) : String(c);
    const key = byId ? `id:${byId}` : `user:${byUser}`;
    if (!accounts.has(key)) {
      const found = byId
        ? await clients({ id_servicio: byId }, (x) => x.id_servicio === byId)
        : byUser
          ? await clients({ usuario: byUser }, (x) => x.usuario === byUser)
          : [];
      accounts.set(key, found.length === 1 ? found[0] : undefined);
    }
    return accounts.get(key);
  };
  const due: DueInvoice[] = [];
  for (const w of rows) {
    const account = await accountOf(w);
    // An invoice whose client cannot be told apart is not guessed at.
    if (account && belongsTo(w, account)) due.push({ account, invoice: toInvoice(w, 'pending') });
  }
  return due;
}
