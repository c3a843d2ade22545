import { readFileSync } from 'node:fs';
import type { CustomerReference } from '@helpline/contracts';
import { z } from 'zod';
import { type AccountState, type CustomerDirectory, type CustomerRecord, phoneMatches } from './customer-directory.js';

const ACCOUNT_STATES = ['active', 'suspended', 'arrears', 'cancelled', 'unknown'] as const;

const phones = z
  .union([z.array(z.string()), z.string()])
  .transform((p) => (Array.isArray(p) ? p : p.split(/[|;,]/)).map((s) => s.trim()).filter(Boolean));
const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const FileCustomer = z.object({
  customerId: z.coerce.string().min(1),
  name: optional,
  phones: phones.default([]),
  documentNumber: optional,
  pppoeUser: optional,
  serviceIp: optional,
  router: optional,
  plan: optional,
  account: z.enum(ACCOUNT_STATES).optional(),
});

// CSV headers accepted for each field (snake_case or camelCase).
const CSV_FIELDS: Record<string, keyof z.input<typeof FileCustomer>> = {
  phones: 'phones',
  phone: 'phones',
  customer_id: 'customerId',
  customerid: 'customerId',
  name: 'name',
  document_number: 'documentNumber',
  documentnumber: 'documentNumber',
  pppoe_user: 'pppoeUser',
  pppoeuser: 'pppoeUser',
  service_ip: 'serviceIp',
  serviceip: 'serviceIp',
  router: 'router',
  plan: 'plan',
  account: 'account',
};

/** RFC 4180 fields: commas, double quotes and quoted line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

/** What is wrong with CUSTOMERS_FILE, in words fit for the one-line config error (no customer data in them). */
export class CustomersFileError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'CustomersFileError';
  }
}

/** Parses a customers file (JSON array or CSV with a header row); throws a CustomersFileError naming the bad entry. */
export function parseCustomersFile(text: string, format: 'json' | 'csv'): CustomerRecord[] {
  let items: unknown[];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The parser's own message quotes the text around the fault: customer data.
      throw new CustomersFileError('is not valid JSON (expected a JSON array of customers, or a .csv file)');
    }
    if (!Array.isArray(parsed)) throw new CustomersFileError('expected a JSON array of customers');
    items = parsed;
  } else {
    const [header, ...rows] = parseCsv(text);
    if (!header) return [];
    const keys = header.map((h) => CSV_FIELDS[h.trim().toLowerCase()]);
    if (!keys.includes('customerId')) throw new CustomersFileError('CSV header has no customer_id column');
    items = rows.map((cells) => {
      const item: Record<string, string> = {};
      cells.forEach((cell, i) => {
        const key = keys[i];
        if (key) item[key] = cell;
      });
      return item;
    });
  }
  return items.map((item, i) => {
    const r = FileCustomer.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new CustomersFileError(`entry ${i + 1}: ${issue?.path.join('.') || '(entry)'}: ${issue?.message}`);
    }
    const { account, ...rest } = r.data;
    const record: CustomerRecord = { ...rest };
    if (account) record.account = account as AccountState;
    return record;
  });
}

/** Reads and parses CUSTOMERS_FILE (`.csv` by its name, else JSON); every problem is a CustomersFileError. */
export function readCustomersFile(path: string): CustomerRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CustomersFileError(
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot be read (${code ?? 'error'})`,
    );
  }
  return parseCustomersFile(text, /\.csv$/i.test(path) ? 'csv' : 'json');
}

export function loadFileDirectory(path: string): CustomerDirectory {
  return createFileDirectory(readCustomersFile(path));
}

export function createFileDirectory(customers: readonly CustomerRecord[]): CustomerDirectory {
  return {
    source: 'file',
    async find(ref: CustomerReference) {
      return customers.filter(
        (c) =>
          (ref.customerId !== undefined && c.customerId === ref.customerId) ||
          (ref.pppoeUser !== undefined && c.pppoeUser === ref.pppoeUser) ||
          (ref.documentNumber !== undefined && c.documentNumber === ref.documentNumber) ||
          (ref.phone !== undefined && phoneMatches(c.phones, ref.phone)),
      );
    },
  };
}
