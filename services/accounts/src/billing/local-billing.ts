import type { CustomerReference } from '@helpline/contracts';
import { type AccountState, documentKey, phoneKey } from '@helpline/directory';
import type { Database } from '@helpline/runtime';
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

interface CustomerRow {
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

interface InvoiceRow {
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

const CUSTOMER_SELECT = `
  SELECT c.customer_id, c.name, c.document_number, c.phones, c.status, c.plan_id, p.name AS plan_name,
         to_char(c.cutoff_date, 'YYYY-MM-DD') AS cutoff_date, c.city,
         (SELECT sum(i.total_minor) FROM invoices i WHERE i.customer_id = c.customer_id AND i.state = 'pending')::text
           AS balance_minor
    FROM customers c LEFT JOIN plans p ON p.plan_id = c.plan_id`;

function toAccount(row: CustomerRow): Account {
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

function toInvoice(row: InvoiceRow): Invoice {
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

const INVOICE_SELECT = `
  SELECT invoice_id, number, to_char(issued_on, 'YYYY-MM-DD') AS issued_on, to_char(due_on, 'YYYY-MM-DD') AS due_on,
         total_minor::text, state, to_char(paid_on, 'YYYY-MM-DD') AS paid_on, document_url, description
    FROM invoices`;

/** The built-in back-office: the accounts schema in PostgreSQL, filled by `npm run import`. */
export function createLocalBilling(db: Database): BillingProvider {
  return {
    name: 'local',
    async findAccounts(ref: CustomerReference) {
      if (ref.customerId !== undefined) {
        const r = await db.query<CustomerRow>(
          `${CUSTOMER_SELECT} WHERE c.customer_id = $1`,
          [ref.customerId],
          'find_by_id',
        );
        return r.rows.map(toAccount);
      }
      if (ref.documentNumber !== undefined) {
        const key = documentKey(ref.documentNumber);
        if (key === '') return [];
        const r = await db.query<CustomerRow>(
          `${CUSTOMER_SELECT} WHERE c.document_key = $1`,
          [key],
          'find_by_document',
        );
        return r.rows.map(toAccount);
      }
      if (ref.phone !== undefined) {
        const key = phoneKey(ref.phone);
        if (key.length < 7) return [];
        const r = await db.query<CustomerRow>(
          `${CUSTOMER_SELECT} WHERE c.phone_keys @> ARRAY[$1]::text[] ORDER BY c.customer_id`,
          [key],
          'find_by_phone',
        );
        return r.rows.map(toAccount);
      }
      return [];
    },
    async invoices(account) {
      const r = await db.query<InvoiceRow>(
        `(${INVOICE_SELECT} WHERE customer_id = $1 AND state = 'pending' ORDER BY due_on NULLS LAST, invoice_id LIMIT 8)
         UNION ALL
         (${INVOICE_SELECT} WHERE customer_id = $1 AND state = 'paid' ORDER BY paid_on DESC NULLS LAST, invoice_id DESC LIMIT 2)`,
        [account.customerId],
        'invoices',
      );
      return r.rows.map(toInvoice);
    },
    async pendingInvoicesDue({ from, to }): Promise<DueInvoice[]> {
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
    async invoice(account, invoiceId) {
      const r = await db.query<InvoiceRow>(
        `${INVOICE_SELECT} WHERE customer_id = $1 AND invoice_id = $2`,
        [account.customerId, invoiceId],
        'invoice',
      );
      const row = r.rows[0];
      return row ? toInvoice(row) : undefined;
    },
    async plans() {
      const r = await db.query<{
        plan_id: string;
        name: string;
        price_minor: string | null;
        download: string | null;
        upload: string | null;
      }>(
        'SELECT plan_id, name, price_minor::text, download, upload FROM plans ORDER BY plans.price_minor NULLS LAST, plans.name',
        [],
        'plans',
      );
      return r.rows.map((row) => {
        const plan: Plan = { id: row.plan_id, name: row.name };
        if (row.price_minor !== null) plan.priceMinor = BigInt(row.price_minor);
        if (row.download) plan.download = row.download;
        if (row.upload) plan.upload = row.upload;
        return plan;
      });
    },
    async paymentMethods(): Promise<PaymentMethod[]> {
      const r = await db.query<{ method_id: string; name: string }>(
        'SELECT method_id, name FROM payment_methods ORDER BY method_id',
        [],
        'payment_methods',
      );
      return r.rows.map((row) => ({ id: row.method_id, name: row.name }));
    },
    async registerPayment(input: PaymentInput): Promise<PaymentResult> {
      return db.transaction(async (client) => {
        await client.query(
          `INSERT INTO payments (invoice_id, customer_id, amount_minor, method, reference, paid_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            input.invoiceId,
            input.account.customerId,
            input.amountMinor.toString(),
            input.methodId,
            input.reference,
            input.paidAt,
          ],
          'payment_insert',
        );
        // Paid in full (this payment and earlier ones): the invoice is paid.
        await client.query(
          `UPDATE invoices SET state = 'paid', paid_on = $3::date, updated_at = now()
            WHERE invoice_id = $1 AND customer_id = $2 AND state = 'pending'
              AND total_minor <= (SELECT coalesce(sum(amount_minor), 0) FROM payments WHERE invoice_id = $1)`,
          [input.invoiceId, input.account.customerId, input.paidAt.toISOString().slice(0, 10)],
          'invoice_paid',
        );
        let reactivated = false;
        if (input.reactivate) {
          const r = await client.query(
            `UPDATE customers SET status = 'active', updated_at = now()
              WHERE customer_id = $1 AND status = 'suspended'
                AND NOT EXISTS (SELECT 1 FROM invoices WHERE customer_id = $1 AND state = 'pending' AND due_on < $2::date)`,
            [input.account.customerId, input.paidAt.toISOString().slice(0, 10)],
            'reactivate',
          );
          reactivated = (r.rowCount ?? 0) > 0;
        }
        return { messages: ['payment registered in the built-in store'], reactivated };
      }, 'register_payment');
    },
  };
}
