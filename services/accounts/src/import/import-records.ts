import { documentKey, phoneKey } from '@helpline/directory';
import type { Database } from '@helpline/runtime';
import { z } from 'zod';
import { toMinorUnits } from '../billing/money.js';
import { PaymentPointInput, recordsOf } from '../payment-points/payment-points.js';

export const IMPORT_KINDS = ['customers', 'invoices', 'plans', 'payment-points'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

const text = z
  .union([z.string(), z.number()])
  .optional()
  .transform((v) => (v === undefined || String(v).trim() === '' ? undefined : String(v).trim()));
const required = z
  .union([z.string(), z.number()], { error: 'is required' })
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'is required'));
const id = required.pipe(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)'));
const date = text.pipe(
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .optional(),
);
const money = (need: boolean) =>
  z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || String(v).trim() === '') {
        if (need) ctx.addIssue({ code: 'custom', message: 'is required' });
        return need ? z.NEVER : undefined;
      }
      const minor = toMinorUnits(v);
      if (minor === undefined || minor < 0n) {
        ctx.addIssue({ code: 'custom', message: 'expected an amount such as 85000 or 85000.00 (a dot for decimals)' });
        return z.NEVER;
      }
      return minor;
    });

const Customer = z.object({
  customer_id: id,
  name: text,
  document_number: text.pipe(
    z
      .string()
      .regex(/^[\d.\s-]{4,20}$/, 'expected digits (dots, spaces and dashes allowed)')
      .optional(),
  ),
  phones: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .transform((p) =>
      (p === undefined ? [] : Array.isArray(p) ? p : p.split(/[|;,]/)).map((s) => s.trim()).filter(Boolean),
    )
    .refine((phones) => phones.every((p) => phoneKey(p).length >= 7), 'each phone needs at least 7 digits'),
  status: z.enum(['active', 'suspended', 'arrears', 'cancelled']).default('active'),
  /** The customer's router as MIKROTIK_ROUTERS names it: broadcasts and outage notices by router. */
  router: text.pipe(z.string().max(128).optional()),
  plan_id: text,
  cutoff_date: date,
  city: text,
});
const Invoice = z.object({
  invoice_id: id,
  customer_id: id,
  number: text,
  issued_on: date,
  due_on: date,
  total: money(true),
  state: z.enum(['pending', 'paid', 'cancelled', 'in_review', 'transferred']),
  paid_on: date,
  document_url: text.pipe(z.url({ protocol: /^https$/, error: 'expected an https URL' }).optional()),
  description: text,
});
const Plan = z.object({ plan_id: id, name: required, price: money(false), download: text, upload: text });

export interface ImportReport {
  kind: ImportKind;
  rows: number;
  /** One line per bad row: `row 3: total: is required`. Nothing is written when any row is bad. */
  errors: string[];
  written: number;
}

function check<T>(schema: z.ZodType<T>, records: Record<string, unknown>[]): { values: T[]; errors: string[] } {
  const values: T[] = [];
  const errors: string[] = [];
  records.forEach((record, i) => {
    const parsed = schema.safeParse(record);
    if (parsed.success) values.push(parsed.data);
    else {
      const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`);
      errors.push(`row ${i + 1}: ${fields.join('; ')}`);
    }
  });
  return { values, errors };
}

/**
 * Loads one file (CSV with a header row, or a JSON array) into the built-in store. Every
 * row is checked first; any bad row stops the import with one line per bad row, so a file
 * is either loaded whole or not at all. Rows are upserted by their id: importing the same
 * file again changes nothing, and a corrected file updates what it names.
 */
export async function importRecords(
  db: Database,
  kind: ImportKind,
  content: string,
  format: 'csv' | 'json',
): Promise<ImportReport> {
  let records: Record<string, unknown>[];
  try {
    records = recordsOf(content, format);
  } catch (error) {
    return { kind, rows: 0, errors: [`file: ${(error as Error).message}`], written: 0 };
  }
  const report = (errors: string[], written = 0): ImportReport => ({ kind, rows: records.length, errors, written });
  switch (kind) {
    case 'customers': {
      const { values, errors } = check(Customer, records);
      if (errors.length) return report(errors);
      await db.transaction(async (c) => {
        for (const v of values) {
          await c.query(
            `INSERT INTO customers (customer_id, name, document_number, document_key, phones, phone_keys, status, plan_id, cutoff_date, city, router)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (customer_id) DO UPDATE SET name = $2, document_number = $3, document_key = $4, phones = $5,
               phone_keys = $6, status = $7, plan_id = $8, cutoff_date = $9, city = $10, router = $11, updated_at = now()`,
            [
              v.customer_id,
              v.name ?? null,
              v.document_number ?? null,
              v.document_number ? documentKey(v.document_number) : null,
              v.phones,
              v.phones.map(phoneKey),
              v.status,
              v.plan_id ?? null,
              v.cutoff_date ?? null,
              v.city ?? null,
              v.router ?? null,
            ],
            'import_customer',
          );
        }
      }, 'import_customers');
      return report([], values.length);
    }
    case 'invoices': {
      const { values, errors } = check(Invoice, records);
      if (errors.length) return report(errors);
      await db.transaction(async (c) => {
        for (const v of values) {
          await c.query(
            `INSERT INTO invoices (invoice_id, customer_id, number, issued_on, due_on, total_minor, state, paid_on, document_url, description)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (invoice_id) DO UPDATE SET customer_id = $2, number = $3, issued_on = $4, due_on = $5,
               total_minor = $6, state = $7, paid_on = $8, document_url = $9, description = $10, updated_at = now()`,
            [
              v.invoice_id,
              v.customer_id,
              v.number ?? null,
              v.issued_on ?? null,
              v.due_on ?? null,
              (v.total as bigint).toString(),
              v.state,
              v.paid_on ?? null,
              v.document_url ?? null,
              v.description ?? null,
            ],
            'import_invoice',
          );
        }
      }, 'import_invoices');
      return report([], values.length);
    }
    case 'plans': {
      const { values, errors } = check(Plan, records);
      if (errors.length) return report(errors);
      await db.transaction(async (c) => {
        for (const v of values) {
          await c.query(
            `INSERT INTO plans (plan_id, name, price_minor, download, upload) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (plan_id) DO UPDATE SET name = $2, price_minor = $3, download = $4, upload = $5, updated_at = now()`,
            [v.plan_id, v.name, v.price?.toString() ?? null, v.download ?? null, v.upload ?? null],
            'import_plan',
          );
        }
      }, 'import_plans');
      return report([], values.length);
    }
    case 'payment-points': {
      const { values, errors } = check(PaymentPointInput.extend({ id }), records);
      if (errors.length) return report(errors);
      await db.transaction(async (c) => {
        for (const v of values) {
          await c.query(
            `INSERT INTO payment_points (point_id, name, address, city, hours, latitude, longitude, methods)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (point_id) DO UPDATE SET name = $2, address = $3, city = $4, hours = $5, latitude = $6,
               longitude = $7, methods = $8, updated_at = now()`,
            [
              v.id,
              v.name,
              v.address,
              v.city ?? null,
              v.hours ?? null,
              v.latitude ?? null,
              v.longitude ?? null,
              v.methods,
            ],
            'import_payment_point',
          );
        }
      }, 'import_payment_points');
      return report([], values.length);
    }
  }
}

/** `customers.csv` -> customers; `payment_points.json` -> payment-points. */
export function kindFromFileName(path: string): ImportKind | undefined {
  const base =
    path
      .split(/[\\/]/)
      .pop()
      ?.toLowerCase()
      .replace(/\.(csv|json)$/, '')
      .replace(/_/g, '-') ?? '';
  return IMPORT_KINDS.find((k) => base === k || base.startsWith(`${k}-`) || base.startsWith(`${k}.`));
}
