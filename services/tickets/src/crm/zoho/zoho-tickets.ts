// Zoho Desk's tickets: created with the idempotency key in a custom field, read, looked up
// by that key (the search, then the contact's newest tickets), and the departments.
import type { Priority } from '@helpline/contracts';
import type { CrmAdapter, CrmDepartment, CrmTicket, NewTicket } from '../crm-adapter.js';
import type { ZohoDeskClient } from './zoho-desk-client.js';
import { DESK_ID, listOf, parse, toTicket, ZohoDepartment, ZohoTicket, ZohoTicketWithFields } from './zoho-shapes.js';

/** Zoho Desk's default priority picklist values. */
export const ZOHO_PRIORITY: Record<Priority, string> = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' };

/**
 * Zoho's `channel` is a picklist; `Chat` is a standard value every portal accepts, while a
 * WhatsApp value exists only where the WhatsApp integration is installed. The Helpline
 * channel (cloud or group) is written in the description instead.
 */
const ZOHO_CHANNEL = 'Chat';

/**
 * How many of a contact's newest tickets are read one by one when the key is not in the
 * search index yet: the create being looked for was sent moments ago, so it is among the
 * newest unless the same contact opened more tickets in those moments.
 */
export const CONTACT_TICKETS_CHECKED = 5;

export interface ZohoTicketsOptions {
  client: ZohoDeskClient;
  /** ZOHO_DEPARTMENT_ID: tickets go there unless the request names a department. */
  defaultDepartmentId: string;
  /** ZOHO_IDEMPOTENCY_FIELD: the ticket custom field holding the idempotency key. */
  idempotencyField: string;
}

export function createZohoTickets(
  options: ZohoTicketsOptions,
): Pick<CrmAdapter, 'createTicket' | 'getTicket' | 'listDepartments' | 'findTicketByIdempotencyKey'> {
  const { client } = options;

  /** Desk's search: quick, but served from an index that can trail a ticket created just now. */
  const searchByKey = async (key: string): Promise<CrmTicket | undefined> => {
    const answer = await client.request({
      method: 'GET',
      path: '/tickets/search',
      query: { customField1: `${options.idempotencyField}:${key}`, limit: '10' },
    });
    if (answer.body === undefined) return undefined;
    const found = parse(listOf(ZohoTicket), answer.body, 'the ticket search').data;
    // There should be one; if two ever exist, the older one is the ticket the customer was told about.
    found.sort((a, b) => Number(a.ticketNumber) - Number(b.ticketNumber));
    return found[0] ? toTicket(found[0]) : undefined;
  };

  /**
   * The contact's ticket list (GET /contacts/{id}/tickets, read from the database, so a
   * ticket created a moment ago is there), newest first; each of the newest few is read
   * (GET /tickets/{id}) for its custom field, since the list does not carry it.
   */
  const findAmongContactTickets = async (contactId: string, key: string): Promise<CrmTicket | undefined> => {
    if (!DESK_ID.test(contactId)) return undefined;
    const answer = await client.request({
      method: 'GET',
      path: `/contacts/${contactId}/tickets`,
      query: { sortBy: '-createdTime', limit: String(CONTACT_TICKETS_CHECKED) },
    });
    if (answer.body === undefined) return undefined;
    const listed = parse(listOf(ZohoTicket), answer.body, "the contact's ticket list").data;
    // Newest first even if the order asked for were not applied.
    listed.sort(
      (a, b) =>
        Date.parse(b.createdTime ?? '') - Date.parse(a.createdTime ?? '') ||
        Number(b.ticketNumber) - Number(a.ticketNumber),
    );
    for (const item of listed.slice(0, CONTACT_TICKETS_CHECKED)) {
      const read = await client.request({ method: 'GET', path: `/tickets/${item.id}` });
      if (read.body === undefined) continue;
      const ticket = parse(ZohoTicketWithFields, read.body, 'the ticket read');
      if (ticket.cf?.[options.idempotencyField] === key) return toTicket(ticket);
    }
    return undefined;
  };

  return {
    async createTicket(ticket: NewTicket) {
      const answer = await client.request({
        method: 'POST',
        path: '/tickets',
        write: true,
        body: {
          subject: ticket.subject,
          description: ticket.description,
          priority: ZOHO_PRIORITY[ticket.priority],
          category: ticket.category,
          channel: ZOHO_CHANNEL,
          departmentId: ticket.departmentId ?? options.defaultDepartmentId,
          contactId: ticket.contactId,
          cf: { [options.idempotencyField]: ticket.idempotencyKey },
        },
      });
      return toTicket(parse(ZohoTicket, answer.body, 'the ticket creation', true));
    },

    async getTicket(id) {
      if (!DESK_ID.test(id)) return undefined;
      const answer = await client.request({ method: 'GET', path: `/tickets/${id}` });
      return answer.body === undefined ? undefined : toTicket(parse(ZohoTicket, answer.body, 'the ticket read'));
    },

    async listDepartments(): Promise<CrmDepartment[]> {
      const answer = await client.request({ method: 'GET', path: '/departments' });
      if (answer.body === undefined) return [];
      return parse(listOf(ZohoDepartment), answer.body, 'the department list').data.map((d) => ({
        id: d.id,
        name: d.name,
        enabled: d.isEnabled ?? true,
      }));
    },

    async findTicketByIdempotencyKey(key, hint = {}) {
      return (
        (await searchByKey(key)) ?? (hint.contactId ? await findAmongContactTickets(hint.contactId, key) : undefined)
      );
    },
  };
}
