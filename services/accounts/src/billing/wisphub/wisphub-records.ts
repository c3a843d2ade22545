import { accountState, WisphubError } from '@helpline/directory';
import { z } from 'zod';
import type { Account, Invoice, InvoiceState } from '../billing-provider.js';
import { toMinorUnits } from '../money.js';

// WispHub's records as its public integrations report them (docs/services/accounts.md), read
// leniently, and their mapping onto the back-office's neutral shapes.

const Money = z.union([z.string(), z.number()]).nullish();

export const Client = z.object({
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
export type Client = z.infer<typeof Client>;

const InvoiceClient = z.union([
  z.string(),
  z.number(),
  z.object({ usuario: z.string().nullish(), id_servicio: z.coerce.string().nullish() }).passthrough(),
]);

export const WisphubInvoice = z.object({
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
export type WisphubInvoice = z.infer<typeof WisphubInvoice>;

export const PlanItem = z.object({ id: z.coerce.string(), nombre: z.string(), tipo: z.string().nullish() });
export const PlanDetail = z
  .object({
    precio: Money,
    bajada: z.union([z.string(), z.number()]).nullish(),
    subida: z.union([z.string(), z.number()]).nullish(),
  })
  .passthrough();
export const Method = z.object({ id: z.coerce.string(), nombre: z.string() });
export const PaymentAnswer = z
  .object({ messages: z.union([z.string(), z.array(z.string())]).nullish(), task_id: z.string().nullish() })
  .passthrough();

export const STATE_BY_NUMBER: Record<string, InvoiceState> = {
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
export const day = (value: string | null | undefined): string | undefined =>
  /^\d{4}-\d{2}-\d{2}/.exec(value ?? '')?.[0];

export function toAccount(c: Client): Account {
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

export function belongsTo(invoice: WisphubInvoice, account: Account): boolean {
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

export function toInvoice(w: WisphubInvoice, state: InvoiceState): Invoice {
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
