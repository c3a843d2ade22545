// The local store's tickets: sequential numbers, idempotent by the unique key, a department
// and a status from configuration.
import type { Database } from '@helpline/runtime';
import type { CrmAdapter, CrmDepartment, CrmTicket } from '../crm-adapter.js';
import { CrmRefusedError } from '../crm-errors.js';
import { insertTicketOnce } from './local-ticket-insert.js';
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
        return await database.transaction(
          (tx) => insertTicketOnce(tx, ticket, { key, departmentId, status: initialStatus, now: clock() }, toTicket),
          'tickets.create',
        );
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
