import { randomUUID } from 'node:crypto';
import { TicketRequest } from '@helpline/contracts';
import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import type { TicketsContext } from '../context.js';
import type { CrmTicket } from '../crm/crm-adapter.js';
import { openTicket } from '../tickets/open-ticket.js';
import {
  CreateTicketAnswer,
  CreateTicketBody,
  IdempotencyHeaders,
  StatusBody,
  TicketIdParams,
  TicketView,
} from './schemas.js';

const view = (ticket: CrmTicket) => ({
  id: ticket.id,
  number: ticket.number,
  status: ticket.status,
  department_id: ticket.departmentId,
  url: ticket.url,
});

export function registerTicketRoutes(app: HttpApp, context: TicketsContext): void {
  const security = [{ bearer: [] }];

  app.post(
    '/tickets',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Open a ticket now (or queue it when the CRM does not answer in time)',
        description:
          'Idempotent: the same Idempotency-Key header always yields the same ticket. Without one, a key is generated and returned. 201 created, 200 already existed, 202 queued.',
        tags: ['tickets'],
        security,
        headers: IdempotencyHeaders,
        body: CreateTicketBody,
        response: {
          200: CreateTicketAnswer,
          201: CreateTicketAnswer,
          202: CreateTicketAnswer,
          422: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const key = `http-${request.headers['idempotency-key'] ?? randomUUID()}`;
      const ticketRequest = TicketRequest.parse({
        idempotencyKey: key,
        correlationId: key,
        subject: body.subject,
        description: body.description,
        priority: body.priority,
        category: body.classification,
        channel: body.channel,
        departmentId: body.department_id,
        contact: { contactId: body.contact_id, phone: body.phone, name: body.name, email: body.email },
      });
      const provider = context.crm.provider;
      const result = await openTicket(
        ticketRequest,
        {
          crm: context.crm,
          records: context.records,
          lockTtlMs: context.lockTtlMs,
          tickets: context.producers.tickets,
          metrics: context.ticketsMetrics,
          syncDeadlineMs: context.syncDeadlineMs,
        },
        request.log,
      );
      if (result.state === 'queued') {
        return reply
          .status(202)
          .send({ state: 'queued', idempotency_key: key, provider, job_id: result.jobId, message: result.reason });
      }
      return reply
        .status(result.state === 'created' ? 201 : 200)
        .send({ state: result.state, idempotency_key: key, provider, ticket: view(result.ticket) });
    },
  );

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
