import { phoneKey } from '@helpline/directory';
import { z } from 'zod';
import { toMinorUnits } from '../billing/money.js';
import { PaymentPointInput } from '../payment-points/payment-points.js';

// The rows `npm run import` accepts, field by field, and the check that names each bad one.

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

export const Customer = z.object({
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
export const Invoice = z.object({
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
export const Plan = z.object({ plan_id: id, name: required, price: money(false), download: text, upload: text });

export const PaymentPointRow = PaymentPointInput.extend({ id });

/** Every record checked: the values, or one line per bad row naming the row and its fields. */
export function check<T>(schema: z.ZodType<T>, records: Record<string, unknown>[]): { values: T[]; errors: string[] } {
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
