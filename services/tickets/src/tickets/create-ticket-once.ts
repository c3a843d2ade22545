import type { TicketContact, TicketRequest } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import { findOrCreateContact } from '../contacts/find-or-create-contact.js';
import type { CrmAdapter, CrmTicket } from '../crm/crm-adapter.js';
import { CrmAmbiguousError, CrmRefusedError, TicketBusyError } from '../crm/crm-errors.js';
import { renderDescription } from './render-description.js';
import type { TicketRecords } from './ticket-records.js';

export interface CreateTicketDeps {
  crm: CrmAdapter;
  records: TicketRecords;
  logger: Logger;
  /** How long one attempt may hold a key's lock (longer than its CRM calls can take). */
  lockTtlMs: number;
}

export interface CreateTicketResult {
  ticket: CrmTicket;
  /** The key already had a ticket (recorded here, or found in the CRM): nothing was created. */
  duplicate: boolean;
}

async function resolveContactId(contact: TicketContact, crm: CrmAdapter): Promise<string> {
  if (contact.contactId) return contact.contactId;
  const { contact: found } = await findOrCreateContact(crm, { name: contact.name, phone: contact.phone, email: contact.email });
  return found.id;
}

/**
 * One idempotency key, one ticket, however often this runs and whatever fails:
 * 1. a ticket recorded for the key is the answer;
 * 2. only the holder of the key's lock creates;
 * 3. if an earlier attempt sent a create (the "attempted" mark) the CRM is searched by the
 *    key first, since that create may have succeeded behind a lost answer;
 * 4. after an ambiguous failure now, the CRM is searched at once, and if the ticket is not
 *    (yet) visible the error goes up and the next attempt searches again (step 3).
 */
export async function createTicketOnce(request: TicketRequest, deps: CreateTicketDeps): Promise<CreateTicketResult> {
  const { crm, records, logger } = deps;
  const key = request.idempotencyKey;

  const recorded = await records.get(key);
  if (recorded) return { ticket: recorded, duplicate: true };

  const lock = await records.lock(key, deps.lockTtlMs);
  if (!lock) throw new TicketBusyError(key);
  try {
    const again = await records.get(key);
    if (again) return { ticket: again, duplicate: true };

    const adopt = async (ticket: CrmTicket): Promise<CreateTicketResult> => {
      await records.save(key, ticket);
      logger.info({ ticketId: ticket.id, ticketNumber: ticket.number }, 'ticket already existed in the CRM for this key; adopted');
      return { ticket, duplicate: true };
    };

    if (await records.wasAttempted(key)) {
      const existing = await crm.findTicketByIdempotencyKey(key);
      if (existing) return await adopt(existing);
    }

    const contactId = await resolveContactId(request.contact, crm);
    await records.markAttempted(key);
    let ticket: CrmTicket;
    try {
      ticket = await crm.createTicket({
        idempotencyKey: key,
        subject: request.subject,
        description: renderDescription(request),
        priority: request.priority,
        category: request.category,
        channel: request.channel,
        departmentId: request.departmentId,
        contactId,
      });
    } catch (error) {
      if (!(error instanceof CrmAmbiguousError)) throw error;
      logger.warn({ err: error }, 'ticket create answer lost; searching the CRM by idempotency key');
      const existing = await crm.findTicketByIdempotencyKey(key).catch((searchError: unknown) => {
        // A refusal of the search itself is worth knowing; the create error still decides.
        if (searchError instanceof CrmRefusedError) logger.error({ err: searchError }, 'search by idempotency key refused');
        return undefined;
      });
      if (existing) return await adopt(existing);
      throw error;
    }
    await records.save(key, ticket);
    logger.info({ ticketId: ticket.id, ticketNumber: ticket.number, provider: crm.provider }, 'ticket created');
    return { ticket, duplicate: false };
  } finally {
    await lock.release();
  }
}
