import type { Database } from '@helpline/runtime';
import { storableText } from './storable-text.js';

/** What an erased ticket's subject and description say instead. */
export const ERASED = '[erased]';

/**
 * Erases a customer's personal data in one transaction: the contact of this phone loses name,
 * phone and email; its tickets keep number, status, department and dates, their text (and
 * their attachments' file names) replaced by `ERASED`.
 */
export function createLocalErasure(database: Database, clock: () => Date) {
  return (phone: string): Promise<{ contacts: number; tickets: number }> =>
    database.transaction(async (tx) => {
      const contacts = await tx.query<{ id: string }>(
        'UPDATE contacts SET name = NULL, phone = NULL, email = NULL, erased_at = $2 WHERE phone = $1 RETURNING id',
        [storableText(phone), clock()],
        'tickets.erase_contact',
      );
      const ids = contacts.rows.map((r) => r.id);
      const tickets = await tx.query(
        'UPDATE tickets SET subject = $2, description = $2, updated_at = $3 WHERE contact_id = ANY($1::text[])',
        [ids, ERASED, clock()],
        'tickets.erase_tickets',
      );
      // A file name can say who sent it ("cedula-juan-perez.pdf"): it goes with the rest.
      await tx.query(
        `UPDATE attachments SET filename = $2
          WHERE ticket_id IN (SELECT id FROM tickets WHERE contact_id = ANY($1::text[]))`,
        [ids, ERASED],
        'tickets.erase_attachments',
      );
      return { contacts: ids.length, tickets: tickets.rowCount ?? 0 };
    }, 'tickets.erase');
}
