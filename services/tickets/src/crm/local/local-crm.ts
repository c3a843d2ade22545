import {
  CodedError,
  type Database,
  type DatabaseClient,
  describeDatabaseError,
  ERRORS,
  isConnectionError,
} from '@helpline/runtime';
import type { CrmAdapter, CrmAttachment, CrmContact, CrmDepartment, CrmTicket } from '../crm-adapter.js';
import { CrmAmbiguousError, CrmRefusedError, CrmUnavailableError } from '../crm-errors.js';
import { storableOptional, storableText } from './storable-text.js';

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

/** What the local store keeps of an attachment: a reference to the customer's media, not its bytes. */
export interface LocalAttachment {
  id: string;
  messageId: string;
  mediaId: string;
  channel: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
  attachedAt: string;
}

interface AttachmentRow {
  id: string;
  message_id: string;
  media_id: string;
  channel: string;
  filename: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  created_at: Date;
}
const ATTACHMENT_COLUMNS =
  'id::text AS id, message_id, media_id, channel, filename, mime_type, size_bytes, sha256, created_at';
const toAttachment = (row: AttachmentRow): LocalAttachment => ({
  id: row.id,
  messageId: row.message_id,
  mediaId: row.media_id,
  channel: row.channel,
  filename: row.filename,
  mimeType: row.mime_type,
  size: Number(row.size_bytes),
  sha256: row.sha256,
  attachedAt: row.created_at.toISOString(),
});
const asCrmAttachment = (a: LocalAttachment): CrmAttachment => ({ id: a.id, filename: a.filename, size: a.size });

/** What an erased ticket's subject and description say instead. */
export const ERASED = '[erased]';

interface TicketRow {
  id: string;
  status: string;
  department_id: string | null;
}
interface ContactRow {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
}

const TICKET_COLUMNS = 'id::text AS id, status, department_id';
const CONTACT_COLUMNS = 'id, name, phone, email';
// Ticket ids are numbers; anything else cannot name one (and must not reach a bigint cast).
const TICKET_ID = /^[1-9]\d{0,17}$/;

const ticketMapper =
  (closedStatus: string | undefined) =>
  (row: TicketRow): CrmTicket => ({
    id: row.id,
    number: row.id,
    status: row.status,
    departmentId: row.department_id ?? undefined,
    // The last of LOCAL_TICKET_STATUSES is the closed one (as the desk's "has open ticket" reads it).
    ...(closedStatus !== undefined && row.status === closedStatus ? { closed: true } : {}),
  });
const toContact = (row: ContactRow): CrmContact => ({
  id: row.id,
  name: row.name ?? undefined,
  phone: row.phone ?? undefined,
  email: row.email ?? undefined,
});

// Statement cancelled (statement_timeout), serialization failure, deadlock: worth a retry.
const TRANSIENT_CODES = new Set(['57014', '40001', '40P01']);

/**
 * PostgreSQL away or too slow is the store being unavailable, as a CRM outage is: the job
 * retries over the retry horizon and POST /tickets queues. A write that failed so may have
 * committed (the answer to COMMIT lost), hence ambiguous: the key is looked up before the next.
 */
function asCrmError(error: unknown, write: boolean): unknown {
  const code = (error as { code?: unknown }).code;
  const transient = isConnectionError(error) || (typeof code === 'string' && TRANSIENT_CODES.has(code));
  if (!transient) return error;
  const message = `local ticket store unavailable: ${describeDatabaseError(error)}`;
  return write ? new CrmAmbiguousError(message, { cause: error }) : new CrmUnavailableError(message, { cause: error });
}

function guarded<A extends unknown[], R>(write: boolean, call: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (error) {
      throw asCrmError(error, write);
    }
  };
}

/**
 * Thrown inside a create's transaction to roll it back (giving its number back) when the key
 * was taken meanwhile; the create then answers what the other one made. Should that be gone
 * too (erased between), it leaves the create as what it is: another attempt's work, retried.
 */
class TakenMeanwhile extends CodedError {
  constructor() {
    super(ERRORS.ticket_busy, 'another create took this key meanwhile');
  }
}

async function nextNumber(tx: DatabaseClient, counter: 'ticket' | 'contact'): Promise<string> {
  // The row lock this takes is held to commit: creates take numbers one after another.
  const { rows } = await tx.query<{ value: string }>(
    'UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value::text AS value',
    [counter],
    'tickets.counter_next',
  );
  const value = rows[0]?.value;
  if (value === undefined) {
    throw new CodedError(ERRORS.internal_error, `counter ${counter} missing: are the tickets migrations applied?`);
  }
  return value;
}

/**
 * The built-in ticket store in PostgreSQL (schema `tickets`): sequential numbers, contacts
 * one per phone, departments and statuses from configuration. It makes the whole system work
 * with no CRM account, and it is idempotent by itself: the idempotency key is unique, and a
 * create that finds its key taken gives its number back.
 */
export function createLocalCrm(options: LocalCrmOptions): LocalCrm {
  const { database } = options;
  const clock = options.clock ?? (() => new Date());
  const initialStatus = options.statuses[0] ?? 'Open';
  const toTicket = ticketMapper(options.statuses.length > 1 ? options.statuses.at(-1) : undefined);

  const ticketByKey = async (key: string): Promise<CrmTicket | undefined> => {
    const { rows } = await database.query<TicketRow>(
      `SELECT ${TICKET_COLUMNS} FROM tickets WHERE idempotency_key = $1`,
      [storableText(key)],
      'tickets.by_key',
    );
    return rows[0] ? toTicket(rows[0]) : undefined;
  };

  const contactByPhone = async (phone: string): Promise<CrmContact | undefined> => {
    const { rows } = await database.query<ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE phone = $1`,
      [storableText(phone)],
      'tickets.contact_by_phone',
    );
    return rows[0] ? toContact(rows[0]) : undefined;
  };

  const store: Omit<LocalCrm, 'erasePersonalData' | 'attachFile' | 'findAttachment'> & {
    attachmentOf(messageId: string): Promise<LocalAttachment | undefined>;
  } = {
    provider: 'local',

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

    async createTicket(ticket) {
      const departmentId = ticket.departmentId ?? options.departments[0]?.id;
      if (departmentId && !options.departments.some((d) => d.id === departmentId)) {
        throw new CrmRefusedError(
          `unknown department ${departmentId}: expected one of ${options.departments.map((d) => d.id).join(', ')}`,
        );
      }
      const key = storableText(ticket.idempotencyKey);
      try {
        return await database.transaction(async (tx) => {
          const existing = await tx.query<TicketRow>(
            `SELECT ${TICKET_COLUMNS} FROM tickets WHERE idempotency_key = $1`,
            [key],
            'tickets.by_key',
          );
          if (existing.rows[0]) return toTicket(existing.rows[0]);
          const contact = await tx.query(
            'SELECT 1 FROM contacts WHERE id = $1',
            [storableText(ticket.contactId)],
            'tickets.contact',
          );
          if (contact.rowCount === 0) throw new CrmRefusedError(`unknown contact ${ticket.contactId}`);
          const id = await nextNumber(tx, 'ticket');
          const now = clock();
          const { rows } = await tx.query<TicketRow>(
            `INSERT INTO tickets (id, idempotency_key, status, department_id, contact_id, subject, description,
                                  priority, category, channel, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING ${TICKET_COLUMNS}`,
            [
              id,
              key,
              initialStatus,
              departmentId ?? null,
              storableText(ticket.contactId),
              storableText(ticket.subject),
              storableText(ticket.description),
              ticket.priority,
              ticket.category,
              ticket.channel,
              now,
            ],
            'tickets.insert',
          );
          // Another create of this key committed while this one waited for the counter.
          if (!rows[0]) throw new TakenMeanwhile();
          return toTicket(rows[0]);
        }, 'tickets.create');
      } catch (error) {
        if (!(error instanceof TakenMeanwhile)) throw error;
        const found = await ticketByKey(key);
        if (!found) throw error;
        return found;
      }
    },

    async getTicket(id) {
      if (!TICKET_ID.test(id)) return undefined;
      const { rows } = await database.query<TicketRow>(
        `SELECT ${TICKET_COLUMNS} FROM tickets WHERE id = $1`,
        [id],
        'tickets.by_id',
      );
      return rows[0] ? toTicket(rows[0]) : undefined;
    },

    async listDepartments() {
      return options.departments;
    },

    findTicketByIdempotencyKey: (key) => ticketByKey(key),

    async attachmentOf(messageId: string): Promise<LocalAttachment | undefined> {
      const { rows } = await database.query<AttachmentRow>(
        `SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE message_id = $1`,
        [storableText(messageId)],
        'tickets.attachment_by_message',
      );
      return rows[0] ? toAttachment(rows[0]) : undefined;
    },

    async listAttachments(ticketId: string): Promise<LocalAttachment[]> {
      if (!TICKET_ID.test(ticketId)) return [];
      const { rows } = await database.query<AttachmentRow>(
        `SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE ticket_id = $1 ORDER BY id`,
        [ticketId],
        'tickets.attachments_of_ticket',
      );
      return rows.map(toAttachment);
    },

    async updateStatus(id, status) {
      if (!options.statuses.includes(status)) {
        throw new CrmRefusedError(`unknown status ${status}: expected one of ${options.statuses.join(', ')}`);
      }
      if (!TICKET_ID.test(id)) return undefined;
      const { rows } = await database.query<TicketRow>(
        `UPDATE tickets SET status = $2, updated_at = $3 WHERE id = $1 RETURNING ${TICKET_COLUMNS}`,
        [id, status, clock()],
        'tickets.update_status',
      );
      return rows[0] ? toTicket(rows[0]) : undefined;
    },
  };

  const erasePersonalData: LocalCrm['erasePersonalData'] = (phone) =>
    database.transaction(async (tx) => {
      const contacts = await tx.query<{ id: string }>(
        'UPDATE contacts SET name = NULL, phone = NULL, email = NULL, erased_at = $2 WHERE phone = $1 RETURNING id',
        [storableText(phone), clock()],
        'tickets.erase_contact',
      );
      const ids = contacts.rows.map((r) => r.id);
      const tickets = await tx.query(
        'UPDATE tickets SET subject = $2, description = $2, updated_at = $3 WHERE contact_id = ANY($1::text[])',
        [ids, ERASED, clock()],
        'tickets.erase_tickets',
      );
      // A file name can say who sent it ("cedula-juan-perez.pdf"): it goes with the rest.
      await tx.query(
        `UPDATE attachments SET filename = $2
          WHERE ticket_id IN (SELECT id FROM tickets WHERE contact_id = ANY($1::text[]))`,
        [ids, ERASED],
        'tickets.erase_attachments',
      );
      return { contacts: ids.length, tickets: tickets.rowCount ?? 0 };
    }, 'tickets.erase');

  // One message, one attachment: the message id is UNIQUE, a second run finds the first's row.
  const attachFile: LocalCrm['attachFile'] = async (ticketId, file) => {
    if (!TICKET_ID.test(ticketId)) throw new CrmRefusedError(`no local ticket ${ticketId}`);
    const { rows } = await database.query<AttachmentRow>(
      `INSERT INTO attachments (ticket_id, message_id, media_id, channel, filename, mime_type, size_bytes, sha256, created_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM tickets WHERE id = $1)
       ON CONFLICT (message_id) DO NOTHING RETURNING ${ATTACHMENT_COLUMNS}`,
      [
        ticketId,
        storableText(file.messageId),
        storableText(file.mediaId),
        file.channel,
        storableText(file.filename),
        storableText(file.mimeType),
        file.bytes.length,
        file.sha256,
        clock(),
      ],
      'tickets.attachment_insert',
    );
    if (rows[0]) return asCrmAttachment(toAttachment(rows[0]));
    const existing = await store.attachmentOf(file.messageId);
    if (existing) return asCrmAttachment(existing);
    throw new CrmRefusedError(`no local ticket ${ticketId}`);
  };

  return {
    provider: 'local',
    attachFile: guarded(true, attachFile),
    findAttachment: guarded(false, async (_ticketId, file) => {
      const found = await store.attachmentOf(file.messageId);
      return found ? asCrmAttachment(found) : undefined;
    }),
    listAttachments: guarded(false, store.listAttachments),
    erasePersonalData: guarded(true, erasePersonalData),
    findContactByPhone: guarded(false, store.findContactByPhone),
    createContact: guarded(true, store.createContact),
    createTicket: guarded(true, store.createTicket),
    getTicket: guarded(false, store.getTicket),
    listDepartments: store.listDepartments,
    findTicketByIdempotencyKey: guarded(false, store.findTicketByIdempotencyKey),
    updateStatus: guarded(false, store.updateStatus),
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
