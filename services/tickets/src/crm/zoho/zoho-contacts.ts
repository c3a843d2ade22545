// Zoho Desk's contacts: found by phone (mobile or phone, with or without '+'), created with
// the name split the way Desk stores it.
import type { CrmAdapter, CrmContact, NewContact } from '../crm-adapter.js';
import type { ZohoDeskClient } from './zoho-desk-client.js';
import { listOf, parse, toContact, ZohoContact } from './zoho-shapes.js';

/** Splits a display name the way Desk stores it; lastName is mandatory there. */
function nameParts(contact: NewContact): { firstName?: string; lastName: string } {
  const words = (contact.name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { lastName: contact.phone ?? contact.email ?? 'WhatsApp' };
  if (words.length === 1) return { lastName: words[0]! };
  return { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1)! };
}

export function createZohoContacts(client: ZohoDeskClient): Pick<CrmAdapter, 'findContactByPhone' | 'createContact'> {
  const searchContacts = async (field: 'phone' | 'mobile', value: string): Promise<CrmContact | undefined> => {
    const answer = await client.request({
      method: 'GET',
      path: '/contacts/search',
      query: { [field]: value, limit: '1' },
    });
    if (answer.body === undefined) return undefined;
    const [first] = parse(listOf(ZohoContact), answer.body, 'the contact search').data;
    return first ? toContact(first) : undefined;
  };

  return {
    async findContactByPhone(phone) {
      // WhatsApp numbers are usually stored as the mobile number, but older contacts carry
      // them as phone. This service writes digits only (573001112233); contacts typed into
      // Desk by staff or other integrations usually start with '+': both are looked for.
      const forms = /^\d+$/.test(phone) ? [phone, `+${phone}`] : [phone];
      for (const value of forms) {
        for (const field of ['mobile', 'phone'] as const) {
          const found = await searchContacts(field, value);
          if (found) return found;
        }
      }
      return undefined;
    },

    async createContact(contact) {
      const answer = await client.request({
        method: 'POST',
        path: '/contacts',
        body: { ...nameParts(contact), mobile: contact.phone, phone: contact.phone, email: contact.email },
      });
      return toContact(parse(ZohoContact, answer.body, 'the contact creation'));
    },
  };
}
