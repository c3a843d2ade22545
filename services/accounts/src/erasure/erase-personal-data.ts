import { HttpError } from '@helpline/runtime';
import type { Database } from '@helpline/runtime';
import type { BillingProvider } from '../billing/billing-provider.js';
import type { IdentityStore } from '../identity/identity-store.js';

/** What a data-removal request took from the accounts service. */
export interface AccountsErasure {
  /** Identity keys in Redis: the chat's proof of a document number, the request awaiting an answer, the failed tries. */
  identityKeys: number;
  /** Payment receipts the chat sent (the image or PDF, the caption, the staff's decision). */
  receipts: number;
  /** Statement PDFs made for the person's customer ids and not yet pruned. */
  documents: number;
  /** The chat's remembered language for notices. */
  chatLanguage: number;
  customerIds: string[];
}

export interface ErasureDeps {
  db: Database;
  identity: Pick<IdentityStore, 'forget'>;
  billing: Pick<BillingProvider, 'findAccounts'>;
}

/**
 * Removes what the accounts service keeps about a person, by the chat's phone: the identity
 * state in Redis, the receipts the chat sent, the statements made for their accounts. The
 * customer ids come from the caller (the desk's archive), the chat's proofs, the receipts and
 * the back-office's answer for the phone. The back-office's own customer, invoice and payment
 * records are the ISP's accounts, not this conversation's data: they stay (docs/operations.md).
 *
 * Every step is safe to repeat. Two cases answer an error after erasing what could be, so
 * that the caller repeats: a receipt whose payment is being registered right now (409; its
 * decision must not be lost halfway), and the back-office away (503).
 */
export async function erasePersonalData(
  deps: ErasureDeps,
  phone: string,
  givenCustomerIds: readonly string[],
): Promise<AccountsErasure> {
  const ids = new Set(givenCustomerIds);
  const { provenIds, keys } = await deps.identity.forget(phone);
  for (const id of provenIds) ids.add(id);

  const receipts = await deps.db.transaction(async (tx) => {
    const owners = await tx.query<{ customer_id: string | null; state: string }>(
      'SELECT customer_id, state FROM receipts WHERE chat_id = $1 OR phone = $1 FOR UPDATE',
      [phone],
      'erase_receipts_lock',
    );
    for (const row of owners.rows) if (row.customer_id) ids.add(row.customer_id);
    const deleted = await tx.query(
      `DELETE FROM receipts WHERE (chat_id = $1 OR phone = $1) AND state <> 'confirming'`,
      [phone],
      'erase_receipts',
    );
    return {
      deleted: deleted.rowCount ?? 0,
      confirming: owners.rows.filter((r) => r.state === 'confirming').length,
    };
  }, 'erase_receipts');

  let backOfficeError: Error | undefined;
  try {
    for (const account of await deps.billing.findAccounts({ phone })) ids.add(account.customerId);
  } catch (error) {
    backOfficeError = error as Error;
  }

  const customerIds = [...ids];
  const documents =
    customerIds.length === 0
      ? 0
      : ((
          await deps.db.query(
            'DELETE FROM documents WHERE customer_id = ANY($1::text[])',
            [customerIds],
            'erase_documents',
          )
        ).rowCount ?? 0);

  // The language the chat last wrote in (for notices). The notices ledger (which notice went
  // out for which invoice: it keeps a notice from going twice) and the opt-out (the person's
  // own "no notices", which must keep being honoured) stay; neither holds anything they wrote.
  const languages = await deps.db.query(
    'DELETE FROM chat_languages WHERE chat_id = $1',
    [phone],
    'erase_chat_language',
  );

  const erased: AccountsErasure = {
    identityKeys: keys,
    receipts: receipts.deleted,
    documents,
    chatLanguage: languages.rowCount ?? 0,
    customerIds,
  };
  if (receipts.confirming > 0) {
    throw new HttpError(
      409,
      'receipt_being_confirmed',
      `${receipts.confirming} receipt(s) of this chat are being registered in the back-office now; the rest is erased, repeat the request once staff's decision is recorded`,
      { erased },
    );
  }
  if (backOfficeError) {
    throw new HttpError(
      503,
      'unavailable',
      `the back-office did not answer (${backOfficeError.message}); statements of accounts found only there may remain, repeat the request`,
      { erased },
    );
  }
  return erased;
}
