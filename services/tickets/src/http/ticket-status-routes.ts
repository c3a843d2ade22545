// A ticket's status: read from the CRM (with the local store's attachment references), and
// changed by staff in the local store.
import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import type { TicketsContext } from '../context.js';
import { StatusBody, TicketIdParams, TicketView } from './schemas.js';
import { view } from './ticket-view.js';

export function registerTicketStatusRoutes(
  app: HttpApp,
  context: TicketsContext,
  security: { bearer: never[] }[],
): void {
  app.get(
    '/tickets/:id/status',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: "A ticket's current status in the CRM; with the local store, its attachments (references)",
        tags: ['tickets'],
        security,
        params: TicketIdParams,
        response: { 200: TicketView, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const ticket = await context.crm.getTicket(request.params.id);
      if (!ticket) throw httpErrors.notFound(`no ticket ${request.params.id} in ${context.crm.provider}`);
      if (!context.localCrm) return view(ticket);
      const attachments = await context.localCrm.listAttachments(ticket.id);
      return {
        ...view(ticket),
        attachments: attachments.map((a) => ({
          id: a.id,
          message_id: a.messageId,
          media_id: a.mediaId,
          channel: a.channel,
          filename: a.filename,
          mime_type: a.mimeType,
          size: a.size,
          sha256: a.sha256,
          attached_at: a.attachedAt,
        })),
      };
    },
  );

  app.put(
    '/tickets/:id/status',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: "Change a local ticket's status (one of LOCAL_TICKET_STATUSES); Zoho tickets change in Zoho Desk",
        tags: ['tickets'],
        security,
        params: TicketIdParams,
        body: StatusBody,
        response: { 200: TicketView, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      const local = context.localCrm;
      if (!local) throw new HttpError(409, 'managed_in_crm', 'ticket statuses are changed in Zoho Desk, not here');
      const ticket = await local.updateStatus(request.params.id, request.body.status);
      if (!ticket) throw httpErrors.notFound(`no ticket ${request.params.id} in local`);
      // The desk's "has open ticket": the last of LOCAL_TICKET_STATUSES is the closed one.
      const statuses = context.config.LOCAL_TICKET_STATUSES;
      const phone = await context.database?.query<{ phone: string | null }>(
        'SELECT c.phone FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE t.id = $1',
        [ticket.id],
        'tickets.contact_phone',
      );
      const chatId = phone?.rows[0]?.phone?.replace(/\D/g, '') || `ticket-${ticket.id}`;
      await context.ticketEvents.statusChanged(ticket, { chatId }, ticket.status !== statuses[statuses.length - 1]);
      return view(ticket);
    },
  );
}
