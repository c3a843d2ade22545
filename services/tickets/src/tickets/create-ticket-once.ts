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
  /**
   * TTL of a key's lock. It is renewed while the attempt runs, so it only bounds how long a
   * crashed attempt blocks the key.
   */
  lockTtlMs: number;
}

export interface CreateTicketResult {
  ticket: CrmTicket;
  /** The key already had a ticket (recorded here, or found in the CRM): nothing was created. */
  duplicate: boolean;
}

async function resolveContactId(contact: TicketContact, crm: CrmAdapter): Promise<string> {
  if (contact.contactId) return contact.contactId;
  const { contact: found } = await findOrCreateContact(crm, {
    name: contact.name,
    phone: contact.phone,
    email: contact.email,
  });
  return found.id;
}

/**
 * One idempotency key, one ticket, however often this runs and whatever fails:
 * 1. a ticket recorded for the key is the answer;
 * 2. only the holder of the key's lock creates; the lock is renewed while this runs, and an
 *    attempt that lost it stops before sending a create;
 * 3. if an earlier attempt sent a create (the "attempted" mark) the CRM is asked for the
 *    key first, by search and among the tickets of the contact that create was for, since
 *    that create may have succeeded behind a lost answer; that contact is reused;
 * 4. after an ambiguous failure now, the CRM is asked at once the same way, and if the
 *    ticket is not found the error goes up and the next attempt asks again (step 3).
 * The contact's own tickets matter because Zoho's search index can trail a ticket created
 * a moment ago, while the contact's ticket list is read from the database.
 */
export async function createTicketOnce(request: TicketRequest, deps: CreateTicketDeps): Promise<CreateTicketResult> {
  const { crm, records, logger } = deps;
  const key = request.idempotencyKey;

  const recorded = await records.get(key);
  if (recorded) return { ticket: recorded, duplicate: true };

  const lock = await records.lock(key, deps.lockTtlMs, {
    onLost: (reason) => logger.warn({ reason }, 'lost the lock on this idempotency key; this attempt sends no create'),
  });
  if (!lock) throw new TicketBusyError(key);
  try {
    const again = await records.get(key);
    if (again) return { ticket: again, duplicate: true };

    const adopt = async (ticket: CrmTicket): Promise<CreateTicketResult> => {
      await records.save(key, ticket);
      logger.info(
        { ticketId: ticket.id, ticketNumber: ticket.number },
        'ticket already existed in the CRM for this key; adopted',
      );
      return { ticket, duplicate: true };
    };

    const earlier = await records.attempted(key);
    if (earlier) {
      const existing = await crm.findTicketByIdempotencyKey(key, { contactId: earlier.contactId });
      if (existing) return await adopt(existing);
    }

    const contactId = earlier?.contactId ?? (await resolveContactId(request.contact, crm));
    // Another attempt may hold the key now (ours expired while Redis was away): it creates.
    if (!lock.isHeld()) throw new TicketBusyError(key);
    await records.markAttempted(key, { contactId });
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
      // A refused create made nothing, and its contact may be why: a later attempt (an
      // operator's retry) still looks the key up, but resolves the contact afresh.
      if (error instanceof CrmRefusedError) await records.markAttempted(key, {});
      if (!(error instanceof CrmAmbiguousError)) throw error;
      logger.warn({ err: error }, 'ticket create answer lost; looking the idempotency key up in the CRM');
      const existing = await crm.findTicketByIdempotencyKey(key, { contactId }).catch((lookupError: unknown) => {
        // A refusal of the lookup itself is worth knowing; the create error still decides.
        if (lookupError instanceof CrmRefusedError)
          logger.error({ err: lookupError }, 'looking up the idempotency key was refused');
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
