import type { CrmAdapter } from '../crm-adapter.js';
import { createZohoAttachments } from './zoho-attachments.js';
import { createZohoContacts } from './zoho-contacts.js';
import { createZohoTickets, type ZohoTicketsOptions } from './zoho-tickets.js';

export { CONTACT_TICKETS_CHECKED, ZOHO_PRIORITY } from './zoho-tickets.js';

export type ZohoDeskCrmOptions = ZohoTicketsOptions;

/**
 * The Zoho Desk adapter: contacts (zoho-contacts.ts), tickets and departments
 * (zoho-tickets.ts), attachments (zoho-attachments.ts), each over the one Desk client; the
 * shapes of Desk's answers are zoho-shapes.ts.
 */
export function createZohoDeskCrm(options: ZohoDeskCrmOptions): CrmAdapter {
  return {
    provider: 'zoho',
    ...createZohoContacts(options.client),
    ...createZohoTickets(options),
    ...createZohoAttachments(options.client),
  };
}
