import type { CustomerReference } from '@helpline/contracts';
import {
  accountState,
  documentKey,
  phoneKey,
  phoneMatches,
  type WisphubClient,
  WisphubError,
} from '@helpline/directory';
import { z } from 'zod';
import type {
  Account,
  BillingProvider,
  DueInvoice,
  Invoice,
  InvoiceState,
  PaymentInput,
  PaymentMethod,
  PaymentResult,
  Plan,
} from './billing-provider.js';
import { toDecimalString, toMinorUnits } from './money.js';

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

const Money = z.union([z.string(), z.number()]).nullish();

const Client = z.object({
  id_servicio: z.coerce.string(),
  usuario: z.string().nullish(),
  nombre: z.string().nullish(),
  cedula: z.string().nullish(),
  telefono: z.string().nullish(),
  estado: z.string().nullish(),
  saldo: Money,
  estado_facturas: z.string().nullish(),
  fecha_corte: z.string().nullish(),
  ciudad: z.string().nullish(),
  plan_internet: z.object({ id: z.coerce.string().nullish(), nombre: z.string().nullish() }).passthrough().nullish(),
});
type Client = z.infer<typeof Client>;

const InvoiceClient = z.union([
  z.string(),
  z.number(),
  z.object({ usuario: z.string().nullish(), id_servicio: z.coerce.string().nullish() }).passthrough(),
]);

const WisphubInvoice = z.object({
  id_factura: z.coerce.string(),
  folio: z.coerce.string().nullish(),
  fecha_emision: z.string().nullish(),
  fecha_vencimiento: z.string().nullish(),
  fecha_pago: z.string().nullish(),
  total: Money,
  estado: z.union([z.string(), z.number()]),
  cliente: InvoiceClient.nullish(),
  articulos: z
    .array(z.object({ descripcion: z.string().nullish(), total: Money, precio: Money }).passthrough())
    .nullish(),
});
type WisphubInvoice = z.infer<typeof WisphubInvoice>;

const PlanItem = z.object({ id: z.coerce.string(), nombre: z.string(), tipo: z.string().nullish() });
const PlanDetail = z
  .object({
    precio: Money,
    bajada: z.union([z.string(), z.number()]).nullish(),
    subida: z.union([z.string(), z.number()]).nullish(),
  })
  .passthrough();
const Method = z.object({ id: z.coerce.string(), nombre: z.string() });
const PaymentAnswer = z
  .object({ messages: z.union([z.string(), z.array(z.string())]).nullish(), task_id: z.string().nullish() })
  .passthrough();

const STATE_BY_NUMBER: Record<string, InvoiceState> = {
  '1': 'pending',
  '2': 'paid',
  '3': 'cancelled',
  '4': 'in_review',
  '5': 'transferred',
};

export function invoiceState(estado: string | number): InvoiceState | undefined {
  const text = String(estado).trim().toLowerCase();
  if (STATE_BY_NUMBER[text]) return STATE_BY_NUMBER[text];
  if (text.startsWith('pendiente')) return 'pending';
  if (text.startsWith('pagad')) return 'paid';
  if (text.startsWith('cancelad') || text.startsWith('anulad')) return 'cancelled';
  if (text.includes('revisi')) return 'in_review';
  if (text.includes('transf')) return 'transferred';
  return undefined;
}

/** `2025-06-30`, `2025-06-30 10:00`, `2025-06-30T10:00:00-05:00` -> `2025-06-30`. */
const day = (value: string | null | undefined): string | undefined => /^\d{4}-\d{2}-\d{2}/.exec(value ?? '')?.[0];

function toAccount(c: Client): Account {
  const account: Account = {
    customerId: c.id_servicio,
    phones: (c.telefono ?? '')
      .split(/[,;/|]/)
      .map((p) => p.trim())
      .filter(Boolean),
    status: accountState(c),
  };
  if (c.nombre) account.name = c.nombre;
  if (c.cedula) account.documentNumber = c.cedula;
  if (c.usuario) account.backOfficeUser = c.usuario;
  const balance = toMinorUnits(c.saldo ?? undefined);
  if (balance !== undefined) account.balanceMinor = balance;
  const cutoff = day(c.fecha_corte);
  if (cutoff) account.cutoffDate = cutoff;
  if (c.ciudad) account.city = c.ciudad;
  if (c.plan_internet?.nombre) {
    account.plan = { name: c.plan_internet.nombre, ...(c.plan_internet.id ? { id: c.plan_internet.id } : {}) };
  }
  return account;
}

function belongsTo(invoice: WisphubInvoice, account: Account): boolean {
  const c = invoice.cliente;
  if (c === null || c === undefined) return false;
  if (typeof c === 'string' || typeof c === 'number') {
    return String(c) === account.backOfficeUser || String(c) === account.customerId;
  }
  return (
    (c.usuario !== undefined && c.usuario !== null && c.usuario === account.backOfficeUser) ||
    (c.id_servicio !== undefined && c.id_servicio !== null && c.id_servicio === account.customerId)
  );
}

function toInvoice(w: WisphubInvoice, state: InvoiceState): Invoice {
  const total = toMinorUnits(w.total ?? undefined);
  if (total === undefined) throw new WisphubError('WispHub invoice has no readable total');
  const invoice: Invoice = { id: w.id_factura, totalMinor: total, state };
  if (w.folio) invoice.number = w.folio;
  const issued = day(w.fecha_emision);
  const due = day(w.fecha_vencimiento);
  const paid = day(w.fecha_pago);
  if (issued) invoice.issuedOn = issued;
  if (due) invoice.dueOn = due;
  if (paid) invoice.paidOn = paid;
  const lines = (w.articulos ?? [])
    .map((a) => ({ description: a.descripcion ?? '', amountMinor: toMinorUnits(a.total ?? a.precio ?? undefined) }))
    .filter(
      (l): l is { description: string; amountMinor: bigint } => l.description !== '' && l.amountMinor !== undefined,
    );
  if (lines.length > 0) invoice.lines = lines;
  return invoice;
}

/** `YYYY-MM-DD hh:mm` in the business time zone, as WispHub's `fecha_pago` takes it. */
export function wisphubDateTime(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export interface WisphubBillingOptions {
  client: WisphubClient;
  timeZone: string;
  clock?: () => Date;
  /** Invoices due this many days back and ahead are asked for (WispHub's default window is shorter). */
  invoiceWindowDays?: { back: number; ahead: number };
  /** How long the plan catalogue and payment methods are kept before asking again. */
  catalogueTtlMs?: number;
}

export function createWisphubBilling(options: WisphubBillingOptions): BillingProvider {
  const { client } = options;
  const clock = options.clock ?? (() => new Date());
  const window = options.invoiceWindowDays ?? { back: 730, ahead: 365 };
  const ttl = options.catalogueTtlMs ?? 10 * 60_000;
  let planCache: { at: number; plans: Plan[] } | undefined;
  let methodCache: { at: number; methods: PaymentMethod[] } | undefined;

  const clients = (query: Record<string, string>, wanted: (c: Client) => boolean) =>
    client.list('/api/clientes/', query, Client, wanted).then((found) => found.map(toAccount));

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

  const planDetail = async (item: z.infer<typeof PlanItem>): Promise<z.infer<typeof PlanDetail> | undefined> => {
    const kinds = /ppp/i.test(item.tipo ?? '') ? ['pppoe', 'queue'] : ['queue', 'pppoe'];
    for (const kind of kinds) {
      const body = await client.get(`/api/plan-internet/${kind}/${encodeURIComponent(item.id)}/`);
      if (body === undefined) continue;
      const parsed = PlanDetail.safeParse(body);
      if (parsed.success) return parsed.data;
    }
    return undefined;
  };

  return {
    name: 'wisphub',
    breaker: client.breaker,
    async findAccounts(ref: CustomerReference) {
      if (ref.customerId !== undefined) {
        const id = ref.customerId;
        if (!/^\d{1,12}$/.test(id)) return [];
        return clients({ id_servicio: id }, (c) => c.id_servicio === id);
      }
      if (ref.documentNumber !== undefined) {
        const key = documentKey(ref.documentNumber);
        if (key === '') return [];
        return clients({ cedula: ref.documentNumber.trim() }, (c) => !!c.cedula && documentKey(c.cedula) === key);
      }
      if (ref.phone !== undefined) {
        const phone = ref.phone;
        const key = phoneKey(phone);
        if (key.length < 7) return [];
        return clients({ telefono: key }, (c) =>
          phoneMatches(
            (c.telefono ?? '').split(/[,;/|]/).map((p) => p.trim()),
            phone,
          ),
        );
      }
      return [];
    },
    async invoices(account) {
      const [pending, paid] = await Promise.all([invoicesIn(account, '1'), invoicesIn(account, '2')]);
      const byDue = (a: Invoice, b: Invoice) => (a.dueOn ?? '').localeCompare(b.dueOn ?? '');
      const lastPaid = paid
        .sort((a, b) => (b.paidOn ?? b.dueOn ?? '').localeCompare(a.paidOn ?? a.dueOn ?? ''))
        .slice(0, 2);
      return [...pending.sort(byDue).slice(0, 8), ...lastPaid];
    },
    async pendingInvoicesDue({ from, to }): Promise<DueInvoice[]> {
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
    },
    async invoice(account, invoiceId) {
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
    async plans() {
      if (planCache && clock().getTime() - planCache.at < ttl) return planCache.plans;
      const items = await client.list('/api/plan-internet/', {}, PlanItem, () => true);
      const plans: Plan[] = [];
      for (const item of items) {
        const detail = await planDetail(item);
        const plan: Plan = { id: item.id, name: item.nombre };
        const price = toMinorUnits(detail?.precio ?? undefined);
        if (price !== undefined) plan.priceMinor = price;
        if (detail?.bajada !== undefined && detail.bajada !== null) plan.download = String(detail.bajada);
        if (detail?.subida !== undefined && detail.subida !== null) plan.upload = String(detail.subida);
        plans.push(plan);
      }
      planCache = { at: clock().getTime(), plans };
      return plans;
    },
    async paymentMethods() {
      if (methodCache && clock().getTime() - methodCache.at < ttl) return methodCache.methods;
      const methods = (await client.list('/api/formas-de-pago/', {}, Method, () => true)).map((m) => ({
        id: m.id,
        name: m.nombre,
      }));
      methodCache = { at: clock().getTime(), methods };
      return methods;
    },
    async registerPayment(input: PaymentInput): Promise<PaymentResult> {
      const body = await client.post(`/api/facturas/${encodeURIComponent(input.invoiceId)}/registrar-pago/`, {
        total_cobrado: toDecimalString(input.amountMinor),
        accion: input.reactivate ? '1' : '0',
        forma_pago: input.methodId,
        referencia: input.reference,
        fecha_pago: wisphubDateTime(input.paidAt, options.timeZone),
      });
      if (body === undefined) throw new WisphubError('WispHub does not know this invoice (404 on registrar-pago)');
      const parsed = PaymentAnswer.safeParse(body);
      const messages = parsed.success ? [parsed.data.messages ?? []].flat() : [];
      return {
        messages,
        ...(parsed.success && parsed.data.task_id ? { taskId: parsed.data.task_id } : {}),
        reactivated: input.reactivate,
      };
    },
  };
}
