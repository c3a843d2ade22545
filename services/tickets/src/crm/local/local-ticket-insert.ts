// One create of a local ticket, inside its transaction: the ticket its key already has, or
// a new one numbered from the counter for a known contact.
import type { DatabaseClient } from '@helpline/runtime';
import type { CrmTicket, NewTicket } from '../crm-adapter.js';
import { CrmRefusedError } from '../crm-errors.js';
import { nextNumber } from './counters.js';
import { TICKET_COLUMNS, type TicketRow } from './local-rows.js';
import { TakenMeanwhile } from './local-store-errors.js';
import { storableText } from './storable-text.js';

export interface TicketInsert {
  /** The idempotency key, already storable. */
  key: string;
  departmentId: string | undefined;
  status: string;
  now: Date;
}

/** The key's ticket, found or inserted; TakenMeanwhile when another create of the key committed first. */
export async function insertTicketOnce(
  tx: DatabaseClient,
  ticket: NewTicket,
  insert: TicketInsert,
  toTicket: (row: TicketRow) => CrmTicket,
): Promise<CrmTicket> {
  const existing = await tx.query<TicketRow>(
    `SELECT ${TICKET_COLUMNS} FROM tickets WHERE idempotency_key = $1`,
    [insert.key],
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
  const { rows } = await tx.query<TicketRow>(
    `INSERT INTO tickets (id, idempotency_key, status, department_id, contact_id, subject, description,
                          priority, category, channel, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING ${TICKET_COLUMNS}`,
    [
      id,
      insert.key,
      insert.status,
      insert.departmentId ?? null,
      storableText(ticket.contactId),
      storableText(ticket.subject),
      storableText(ticket.description),
      ticket.priority,
      ticket.category,
      ticket.channel,
      insert.now,
    ],
    'tickets.insert',
  );
  // Another create of this key committed while this one waited for the counter.
  if (!rows[0]) throw new TakenMeanwhile();
  return toTicket(rows[0]);
}
