import type { Database } from '@helpline/runtime';
import type { PaymentInput, PaymentResult } from '../billing-provider.js';

/**
 * A payment in the built-in store, in one transaction: the payment row, the invoice paid
 * when its payments cover it, and the customer reactivated when asked and nothing overdue
 * is left pending.
 */
export function registerLocalPayment(db: Database, input: PaymentInput): Promise<PaymentResult> {
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
}
