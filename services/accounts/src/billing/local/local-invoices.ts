import type { Database } from '@helpline/runtime';
import type { Account, DueInvoice, Invoice } from '../billing-provider.js';
import {
  CUSTOMER_SELECT,
  type CustomerRow,
  INVOICE_SELECT,
  type InvoiceRow,
  toAccount,
  toInvoice,
} from './local-rows.js';

/** The built-in store's invoices: a customer's, one by id, and every customer's pending ones due in a range. */
export function createLocalInvoices(db: Database) {
  return {
    async invoices(account: Account): Promise<Invoice[]> {
      const r = await db.query<InvoiceRow>(
        `(${INVOICE_SELECT} WHERE customer_id = $1 AND state = 'pending' ORDER BY due_on NULLS LAST, invoice_id LIMIT 8)
         UNION ALL
         (${INVOICE_SELECT} WHERE customer_id = $1 AND state = 'paid' ORDER BY paid_on DESC NULLS LAST, invoice_id DESC LIMIT 2)`,
        [account.customerId],
        'invoices',
      );
      return r.rows.map(toInvoice);
    },
    async pendingInvoicesDue({ from, to }: { from: string; to: string }): Promise<DueInvoice[]> {
      const r = await db.query<InvoiceRow & { customer_id: string }>(
        `SELECT i.customer_id, i.invoice_id, i.number, to_char(i.issued_on, 'YYYY-MM-DD') AS issued_on,
                to_char(i.due_on, 'YYYY-MM-DD') AS due_on, i.total_minor::text, i.state,
                to_char(i.paid_on, 'YYYY-MM-DD') AS paid_on, i.document_url, i.description
           FROM invoices i
          WHERE i.state = 'pending' AND i.due_on BETWEEN $1::date AND $2::date
          ORDER BY i.customer_id, i.due_on, i.invoice_id`,
        [from, to],
        'pending_invoices_due',
      );
      if (r.rows.length === 0) return [];
      const ids = [...new Set(r.rows.map((row) => row.customer_id))];
      const customers = await db.query<CustomerRow>(
        `${CUSTOMER_SELECT} WHERE c.customer_id = ANY($1::text[])`,
        [ids],
        'customers_by_ids',
      );
      const accounts = new Map(customers.rows.map((row) => [row.customer_id, toAccount(row)]));
      return r.rows.flatMap((row) => {
        const account = accounts.get(row.customer_id);
        return account ? [{ account, invoice: toInvoice(row) }] : [];
      });
    },
    async invoice(account: Account, invoiceId: string): Promise<Invoice | undefined> {
      const r = await db.query<InvoiceRow>(
        `${INVOICE_SELECT} WHERE customer_id = $1 AND invoice_id = $2`,
        [account.customerId, invoiceId],
        'invoice',
      );
      const row = r.rows[0];
      return row ? toInvoice(row) : undefined;
    },
  };
}
