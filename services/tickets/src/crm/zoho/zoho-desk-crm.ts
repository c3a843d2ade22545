import type { Priority } from '@helpline/contracts';
import { z } from 'zod';
import type { CrmAdapter, CrmContact, CrmDepartment, CrmTicket, NewContact, NewTicket } from '../crm-adapter.js';
import { CrmAmbiguousError, CrmRefusedError, CrmUnavailableError } from '../crm-errors.js';
import type { ZohoDeskClient } from './zoho-desk-client.js';

/** Zoho Desk's default priority picklist values. */
export const ZOHO_PRIORITY: Record<Priority, string> = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' };

/**
 * Zoho's `channel` is a picklist; `Chat` is a standard value every portal accepts, while a
 * WhatsApp value exists only where the WhatsApp integration is installed. The Helpline
 * channel (cloud or group) is written in the description instead.
 */
const ZOHO_CHANNEL = 'Chat';

const Id = z.union([z.string(), z.number()]).transform(String);

const ZohoTicket = z.object({
  id: Id,
  ticketNumber: Id,
  status: z.string().nullish(),
  /** Desk's status class (Open, On Hold, Closed) behind a portal's own status names. */
  statusType: z.string().nullish(),
  departmentId: Id.nullish(),
  webUrl: z.string().nullish(),
  createdTime: z.string().nullish(),
});

/** GET /tickets/{id} carries the custom fields (`cf`); Desk's ticket lists do not promise them. */
const ZohoTicketWithFields = ZohoTicket.extend({ cf: z.record(z.string(), z.unknown()).nullish() });

const ZohoContact = z.object({
  id: Id,
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  phone: z.string().nullish(),
  mobile: z.string().nullish(),
  email: z.string().nullish(),
});

const ZohoDepartment = z.object({ id: Id, name: z.string(), isEnabled: z.boolean().nullish() });

const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

/**
 * How many of a contact's newest tickets are read one by one when the key is not in the
 * search index yet: the create being looked for was sent moments ago, so it is among the
 * newest unless the same contact opened more tickets in those moments.
 */
export const CONTACT_TICKETS_CHECKED = 5;

/** Desk ids are long digit strings; anything else cannot be one and is not worth a call. */
const DESK_ID = /^\d{1,30}$/;

export interface ZohoDeskCrmOptions {
  client: ZohoDeskClient;
  /** ZOHO_DEPARTMENT_ID: tickets go there unless the request names a department. */
  defaultDepartmentId: string;
  /** ZOHO_IDEMPOTENCY_FIELD: the ticket custom field holding the idempotency key. */
  idempotencyField: string;
}

function toTicket(raw: z.infer<typeof ZohoTicket>): CrmTicket {
  return {
    id: raw.id,
    number: raw.ticketNumber,
    status: raw.status ?? 'Open',
    departmentId: raw.departmentId ?? undefined,
    url: raw.webUrl ?? undefined,
    // Only when closed: an open ticket reads as it always did (records, answers).
    ...(raw.statusType === 'Closed' || (!raw.statusType && raw.status === 'Closed') ? { closed: true } : {}),
  };
}

/** An item of POST/GET /tickets/{id}/attachments (Desk answers `size` as a string). */
const ZohoAttachment = z.object({
  id: Id,
  name: z.string(),
  size: z.union([z.string(), z.number()]).transform(Number),
});

function toContact(raw: z.infer<typeof ZohoContact>): CrmContact {
  const name = [raw.firstName, raw.lastName].filter(Boolean).join(' ');
  return {
    id: raw.id,
    name: name || undefined,
    phone: raw.mobile ?? raw.phone ?? undefined,
    email: raw.email ?? undefined,
  };
}

/** Splits a display name the way Desk stores it; lastName is mandatory there. */
function nameParts(contact: NewContact): { firstName?: string; lastName: string } {
  const words = (contact.name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { lastName: contact.phone ?? contact.email ?? 'WhatsApp' };
  if (words.length === 1) return { lastName: words[0]! };
  return { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1)! };
}

/** Parses a successful answer; a shape Zoho never sends is the CRM failing, not the request. */
function parse<T extends z.ZodType>(schema: T, body: unknown, what: string, write = false): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const message = `Zoho Desk answered ${what} with an unexpected body`;
  throw write ? new CrmAmbiguousError(message) : new CrmUnavailableError(message);
}

export function createZohoDeskCrm(options: ZohoDeskCrmOptions): CrmAdapter {
  const { client } = options;

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
    provider: 'zoho',

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

    /**
     * Desk's "Create ticket attachment": POST /tickets/{id}/attachments, multipart/form-data
     * with the file in the field `file`. `isPublic=false`: a customer's ID card or receipt is
     * for agents, not for the help centre.
     */
    async attachFile(ticketId, file) {
      if (!DESK_ID.test(ticketId)) throw new CrmRefusedError(`${ticketId} is not a Zoho Desk ticket id`);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.filename);
      const answer = await client.request({
        method: 'POST',
        path: `/tickets/${ticketId}/attachments`,
        query: { isPublic: 'false' },
        form,
        write: true,
      });
      const created = parse(ZohoAttachment, answer.body, 'the attachment upload', true);
      return { id: created.id, filename: created.name, size: created.size };
    },

    /** After an upload whose answer was lost: the ticket's attachments, matched on name and size. */
    async findAttachment(ticketId, file) {
      if (!DESK_ID.test(ticketId)) return undefined;
      const answer = await client.request({
        method: 'GET',
        path: `/tickets/${ticketId}/attachments`,
        query: { from: '0', limit: '100' },
      });
      if (answer.body === undefined) return undefined;
      const listed = parse(listOf(ZohoAttachment), answer.body, "the ticket's attachment list").data;
      const found = listed.find((a) => a.name === file.filename && a.size === file.bytes.length);
      return found ? { id: found.id, filename: found.name, size: found.size } : undefined;
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
