// The local store's tickets: sequential numbers, idempotent by the unique key, a department
// and a status from configuration.
import type { Database } from '@helpline/runtime';
import type { CrmAdapter, CrmDepartment, CrmTicket } from '../crm-adapter.js';
import { CrmRefusedError } from '../crm-errors.js';
import { nextNumber } from './counters.js';
import { TICKET_COLUMNS, TICKET_ID, type TicketRow, ticketMapper } from './local-rows.js';
import { TakenMeanwhile } from './local-store-errors.js';
import { storableText } from './storable-text.js';

export interface LocalTicketsOptions {
  database: Database;
  departments: CrmDepartment[];
  /** The first is a new ticket's status; the last (of two or more) is the closed one. */
  statuses: string[];
  clock: () => Date;
}

export interface LocalTickets
  extends Pick<CrmAdapter, 'createTicket' | 'getTicket' | 'listDepartments' | 'findTicketByIdempotencyKey'> {
  updateStatus(id: string, status: string): Promise<CrmTicket | undefined>;
}

export function createLocalTickets(options: LocalTicketsOptions): LocalTickets {
  const { database, clock } = options;
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

  return {
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
}
