// Zoho Desk's answers as this service reads them: the schemas of the bodies, and the CRM
// objects they become. A body of another shape is the CRM failing, not the request.
import { z } from 'zod';
import type { CrmContact, CrmTicket } from '../crm-adapter.js';
import { CrmAmbiguousError, CrmUnavailableError } from '../crm-errors.js';

export const Id = z.union([z.string(), z.number()]).transform(String);

export const ZohoTicket = z.object({
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
export const ZohoTicketWithFields = ZohoTicket.extend({ cf: z.record(z.string(), z.unknown()).nullish() });

export const ZohoContact = z.object({
  id: Id,
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  phone: z.string().nullish(),
  mobile: z.string().nullish(),
  email: z.string().nullish(),
});

export const ZohoDepartment = z.object({ id: Id, name: z.string(), isEnabled: z.boolean().nullish() });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

/** Desk ids are long digit strings; anything else cannot be one and is not worth a call. */
export const DESK_ID = /^\d{1,30}$/;

export function toTicket(raw: z.infer<typeof ZohoTicket>): CrmTicket {
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
export const ZohoAttachment = z.object({
  id: Id,
  name: z.string(),
  size: z.union([z.string(), z.number()]).transform(Number),
});

export function toContact(raw: z.infer<typeof ZohoContact>): CrmContact {
  const name = [raw.firstName, raw.lastName].filter(Boolean).join(' ');
  return {
    id: raw.id,
    name: name || undefined,
    phone: raw.mobile ?? raw.phone ?? undefined,
    email: raw.email ?? undefined,
  };
}

/** Parses a successful answer; a shape Zoho never sends is the CRM failing, not the request. */
export function parse<T extends z.ZodType>(schema: T, body: unknown, what: string, write = false): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const message = `Zoho Desk answered ${what} with an unexpected body`;
  throw write ? new CrmAmbiguousError(message) : new CrmUnavailableError(message);
}
