// The local store's contacts: one per phone (a unique index), numbered C1, C2, ...
import type { Database } from '@helpline/runtime';
import type { CrmAdapter, CrmContact } from '../crm-adapter.js';
import { CrmRefusedError } from '../crm-errors.js';
import { nextNumber } from './counters.js';
import { CONTACT_COLUMNS, type ContactRow, toContact } from './local-rows.js';
import { TakenMeanwhile } from './local-store-errors.js';
import { storableOptional, storableText } from './storable-text.js';

export function createLocalContacts(database: Database): Pick<CrmAdapter, 'findContactByPhone' | 'createContact'> {
  const contactByPhone = async (phone: string): Promise<CrmContact | undefined> => {
    const { rows } = await database.query<ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE phone = $1`,
      [storableText(phone)],
      'tickets.contact_by_phone',
    );
    return rows[0] ? toContact(rows[0]) : undefined;
  };

  return {
    findContactByPhone: contactByPhone,

    async createContact(contact) {
      if (!contact.phone && !contact.email && !contact.name)
        throw new CrmRefusedError('a contact needs a phone, an email or a name');
      const phone = storableOptional(contact.phone);
      try {
        return await database.transaction(async (tx) => {
          if (phone !== null) {
            const existing = await tx.query<ContactRow>(
              `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE phone = $1`,
              [phone],
              'tickets.contact_by_phone',
            );
            if (existing.rows[0]) return toContact(existing.rows[0]);
          }
          const id = `C${await nextNumber(tx, 'contact')}`;
          const { rows } = await tx.query<ContactRow>(
            `INSERT INTO contacts (id, name, phone, email) VALUES ($1, $2, $3, $4)
             ON CONFLICT (phone) WHERE phone IS NOT NULL DO NOTHING
             RETURNING ${CONTACT_COLUMNS}`,
            [id, storableOptional(contact.name), phone, storableOptional(contact.email)],
            'tickets.contact_insert',
          );
          if (!rows[0]) throw new TakenMeanwhile();
          return toContact(rows[0]);
        }, 'tickets.contact_create');
      } catch (error) {
        if (!(error instanceof TakenMeanwhile) || phone === null) throw error;
        const found = await contactByPhone(phone);
        if (!found) throw error;
        return found;
      }
    },
  };
}
