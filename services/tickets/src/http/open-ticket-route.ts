// POST /tickets: open a ticket now, or queue it when the CRM does not answer in time; the
// Idempotency-Key header makes a repeat answer the same ticket.
import { randomUUID } from 'node:crypto';
import { TicketRequest } from '@helpline/contracts';
import { ErrorBody, type HttpApp } from '@helpline/runtime';
import type { TicketsContext } from '../context.js';
import { openTicket } from '../tickets/open-ticket.js';
import { CreateTicketAnswer, CreateTicketBody, IdempotencyHeaders } from './schemas.js';
import { view } from './ticket-view.js';

export function registerOpenTicketRoute(app: HttpApp, context: TicketsContext, security: { bearer: never[] }[]): void {
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
}
