import { documentKey, phoneKey } from '@helpline/directory';
import type { Database } from '@helpline/runtime';
import type { z } from 'zod';
import type { Customer, Invoice, PaymentPointRow, Plan } from './import-rows.js';

// Each kind's checked rows upserted by their id in one transaction: the same file again
// changes nothing, and a corrected file updates what it names.

export async function writeCustomers(db: Database, values: z.infer<typeof Customer>[]): Promise<void> {
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
}

export async function writeInvoices(db: Database, values: z.infer<typeof Invoice>[]): Promise<void> {
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
}

export async function writePlans(db: Database, values: z.infer<typeof Plan>[]): Promise<void> {
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
}

export async function writePaymentPoints(db: Database, values: z.infer<typeof PaymentPointRow>[]): Promise<void> {
  await db.transaction(async (c) => {
    for (const v of values) {
      await c.query(
        `INSERT INTO payment_points (point_id, name, address, city, hours, latitude, longitude, methods)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (point_id) DO UPDATE SET name = $2, address = $3, city = $4, hours = $5, latitude = $6,
           longitude = $7, methods = $8, updated_at = now()`,
        [v.id, v.name, v.address, v.city ?? null, v.hours ?? null, v.latitude ?? null, v.longitude ?? null, v.methods],
        'import_payment_point',
      );
    }
  }, 'import_payment_points');
}
