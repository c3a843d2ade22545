import type { CrmTicket } from '../crm/crm-adapter.js';

/** A ticket as the routes answer it. */
export const view = (ticket: CrmTicket) => ({
  id: ticket.id,
  number: ticket.number,
  status: ticket.status,
  department_id: ticket.departmentId,
  url: ticket.url,
});
