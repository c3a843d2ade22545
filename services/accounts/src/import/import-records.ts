import type { Database } from '@helpline/runtime';
import type { z } from 'zod';
import { recordsOf } from '../payment-points/payment-points.js';
import { Customer, check, Invoice, PaymentPointRow, Plan } from './import-rows.js';
import { writeCustomers, writeInvoices, writePaymentPoints, writePlans } from './import-writers.js';

export const IMPORT_KINDS = ['customers', 'invoices', 'plans', 'payment-points'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportReport {
  kind: ImportKind;
  rows: number;
  /** One line per bad row: `row 3: total: is required`. Nothing is written when any row is bad. */
  errors: string[];
  written: number;
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
  const load = async <T>(schema: z.ZodType<T>, write: (db: Database, values: T[]) => Promise<void>) => {
    const { values, errors } = check(schema, records);
    if (errors.length) return report(errors);
    await write(db, values);
    return report([], values.length);
  };
  switch (kind) {
    case 'customers':
      return load(Customer, writeCustomers);
    case 'invoices':
      return load(Invoice, writeInvoices);
    case 'plans':
      return load(Plan, writePlans);
    case 'payment-points':
      return load(PaymentPointRow, writePaymentPoints);
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
