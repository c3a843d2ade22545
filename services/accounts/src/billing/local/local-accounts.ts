import type { CustomerReference } from '@helpline/contracts';
import { documentKey, phoneKey } from '@helpline/directory';
import type { Database } from '@helpline/runtime';
import type { Account } from '../billing-provider.js';
import { CUSTOMER_SELECT, type CustomerRow, toAccount } from './local-rows.js';

/**
 * The built-in store's customers by id, by document number (its key: digits only) or by
 * phone (the last ten digits, in `phone_keys`), as the WispHub adapter finds them.
 */
export async function findLocalAccounts(db: Database, ref: CustomerReference): Promise<Account[]> {
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
    const r = await db.query<CustomerRow>(`${CUSTOMER_SELECT} WHERE c.document_key = $1`, [key], 'find_by_document');
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
}
