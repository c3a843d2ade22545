import type { CrmAdapter, CrmContact, NewContact } from '../crm/crm-adapter.js';

/** A contact is found by phone or created: one phone, one contact in the CRM. */
export async function findOrCreateContact(
  crm: CrmAdapter,
  contact: NewContact,
): Promise<{ contact: CrmContact; created: boolean }> {
  if (contact.phone) {
    const found = await crm.findContactByPhone(contact.phone);
    if (found) return { contact: found, created: false };
  }
  return { contact: await crm.createContact(contact), created: true };
}
