import { jobIds, OutboundMessage } from '@helpline/contracts';
import { ErrorBody, type HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { GatewayContext } from '../context.js';

const Enqueued = z.object({ jobId: z.string(), duplicate: z.boolean() });

/** POST /api/send-message: an operator (or another system) queues one OutboundMessage. */
export async function sendMessageRoutes(app: HttpApp, context: GatewayContext): Promise<void> {
  app.post(
    '/api/send-message',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Queue an outbound message (job id <correlationId>-<purpose>: a repeat is not sent twice)',
        tags: ['operator'],
        security: [{ bearer: [] }],
        body: OutboundMessage,
        response: { 202: Enqueued, 400: ErrorBody, 401: ErrorBody, 503: ErrorBody },
      },
    },
    // A queue that does not take the job in time is a QueueUnavailableError: the app's
    // error handler answers 503 `unavailable` (docs/errors.md), and the caller tries again.
    async (request, reply) => {
      const message = request.body;
      const result = await context.producers.outbound.add(message, {
        jobId: jobIds.outbound(message.correlationId, message.purpose),
        // The operator is told whether the message was already queued.
        reportDuplicate: true,
      });
      return reply.status(202).send(result);
    },
  );
}
