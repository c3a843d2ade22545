import type { AccountState } from '@helpline/directory';
import type { Account, Invoice, InvoiceState } from '../billing-provider.js';

// The built-in store's rows (the accounts schema) and their mapping onto the back-office's shapes.

export interface CustomerRow {
  customer_id: string;
  name: string | null;
  document_number: string | null;
  phones: string[];
  status: string;
  plan_id: string | null;
  plan_name: string | null;
  cutoff_date: string | null;
  city: string | null;
  balance_minor: string | null;
}

export interface InvoiceRow {
  invoice_id: string;
  number: string | null;
  issued_on: string | null;
  due_on: string | null;
  total_minor: string;
  state: string;
  paid_on: string | null;
  document_url: string | null;
  description: string | null;
}

const STATES: readonly AccountState[] = ['active', 'suspended', 'arrears', 'cancelled', 'unknown'];

export const CUSTOMER_SELECT = `
  SELECT c.customer_id, c.name, c.document_number, c.phones, c.status, c.plan_id, p.name AS plan_name,
         to_char(c.cutoff_date, 'YYYY-MM-DD') AS cutoff_date, c.city,
         (SELECT sum(i.total_minor) FROM invoices i WHERE i.customer_id = c.customer_id AND i.state = 'pending')::text
           AS balance_minor
    FROM customers c LEFT JOIN plans p ON p.plan_id = c.plan_id`;

export function toAccount(row: CustomerRow): Account {
  const account: Account = {
    customerId: row.customer_id,
    phones: row.phones,
    status: STATES.includes(row.status as AccountState) ? (row.status as AccountState) : 'unknown',
    // No pending invoice: nothing owed.
    balanceMinor: BigInt(row.balance_minor ?? '0'),
  };
  if (row.name) account.name = row.name;
  if (row.document_number) account.documentNumber = row.document_number;
  if (row.cutoff_date) account.cutoffDate = row.cutoff_date;
  if (row.city) account.city = row.city;
  if (row.plan_id) account.plan = { id: row.plan_id, name: row.plan_name ?? row.plan_id };
  return account;
}

export function toInvoice(row: InvoiceRow): Invoice {
  const invoice: Invoice = {
    id: row.invoice_id,
    totalMinor: BigInt(row.total_minor),
    state: row.state as InvoiceState,
  };
  if (row.number) invoice.number = row.number;
  if (row.issued_on) invoice.issuedOn = row.issued_on;
  if (row.due_on) invoice.dueOn = row.due_on;
  if (row.paid_on) invoice.paidOn = row.paid_on;
  if (row.document_url) invoice.documentUrl = row.document_url;
  if (row.description) invoice.lines = [{ description: row.description, amountMinor: invoice.totalMinor }];
  return invoice;
}

export const INVOICE_SELECT = `
  SELECT invoice_id, number, to_char(issued_on, 'YYYY-MM-DD') AS issued_on, to_char(due_on, 'YYYY-MM-DD') AS due_on,
         total_minor::text, state, to_char(paid_on, 'YYYY-MM-DD') AS paid_on, document_url, description
    FROM invoices`;
