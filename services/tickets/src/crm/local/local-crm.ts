import type { Database } from '@helpline/runtime';
import type { CrmAdapter, CrmDepartment, CrmTicket } from '../crm-adapter.js';
import { createLocalAttachments } from './local-attachments.js';
import { createLocalContacts } from './local-contacts.js';
import { createLocalErasure } from './local-erasure.js';
import type { LocalAttachment } from './local-rows.js';
import { guarded } from './local-store-errors.js';
import { createLocalTickets } from './local-tickets.js';
import { storableText } from './storable-text.js';

export { ERASED } from './local-erasure.js';
export type { LocalAttachment } from './local-rows.js';

export interface LocalCrmOptions {
  /** The tickets schema (migrations/). */
  database: Database;
  departments: CrmDepartment[];
  /** The first is a new ticket's status. */
  statuses: string[];
  clock?: () => Date;
}

export interface LocalCrm extends CrmAdapter {
  /** Staff move a local ticket through the configured statuses. */
  updateStatus(id: string, status: string): Promise<CrmTicket | undefined>;
  /**
   * Erases a customer's personal data: the contact of this phone loses name, phone and email;
   * its tickets keep number, status, department and dates, their text replaced by `ERASED`.
   */
  erasePersonalData(phone: string): Promise<{ contacts: number; tickets: number }>;
  /** The references of a ticket's attachments, oldest first (the bytes stay with the channel). */
  listAttachments(ticketId: string): Promise<LocalAttachment[]>;
}

/**
 * The built-in ticket store in PostgreSQL (schema `tickets`): sequential numbers, contacts
 * one per phone, departments and statuses from configuration. It makes the whole system work
 * with no CRM account, and it is idempotent by itself: the idempotency key is unique, and a
 * create that finds its key taken gives its number back. Each table has its module; this
 * puts them together and turns a database outage into the CRM errors (local-store-errors.ts).
 */
export function createLocalCrm(options: LocalCrmOptions): LocalCrm {
  const { database } = options;
  const clock = options.clock ?? (() => new Date());
  const contacts = createLocalContacts(database);
  const tickets = createLocalTickets({ database, departments: options.departments, statuses: options.statuses, clock });
  const attachments = createLocalAttachments(database, clock);

  return {
    provider: 'local',
    attachFile: guarded(true, attachments.attachFile),
    findAttachment: guarded(false, attachments.findAttachment),
    listAttachments: guarded(false, attachments.listAttachments),
    erasePersonalData: guarded(true, createLocalErasure(database, clock)),
    findContactByPhone: guarded(false, contacts.findContactByPhone),
    createContact: guarded(true, contacts.createContact),
    createTicket: guarded(true, tickets.createTicket),
    getTicket: guarded(false, tickets.getTicket),
    listDepartments: tickets.listDepartments,
    findTicketByIdempotencyKey: guarded(false, tickets.findTicketByIdempotencyKey),
    updateStatus: guarded(false, tickets.updateStatus),
  };
}

/**
 * Writes the configured departments to the `departments` table (names updated); those no
 * longer configured stay, disabled, because old tickets still name them.
 */
export async function syncDepartments(database: Database, departments: readonly CrmDepartment[]): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.query('UPDATE departments SET enabled = false WHERE NOT (id = ANY($1::text[]))', [
      departments.map((d) => d.id),
    ]);
    for (const d of departments) {
      await tx.query(
        `INSERT INTO departments (id, name, enabled) VALUES ($1, $2, true)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, enabled = true`,
        [d.id, storableText(d.name)],
      );
    }
  }, 'tickets.departments_sync');
}

/** LOCAL_TICKET_DEPARTMENTS entries: `id:Name`, or `Name` (its id is the name in kebab case). */
export function parseLocalDepartments(entries: readonly string[]): CrmDepartment[] {
  return entries.map((entry) => {
    const at = entry.indexOf(':');
    const name = (at > 0 ? entry.slice(at + 1) : entry).trim();
    const id =
      at > 0
        ? entry.slice(0, at).trim()
        : name
            .toLowerCase()
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, '')
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-|-$/g, '');
    return { id, name, enabled: true };
  });
}
