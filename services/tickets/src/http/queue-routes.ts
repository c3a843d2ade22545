import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { TicketsContext } from '../context.js';
import { countJobs, retryFailedJobs } from '../queue/queue-operations.js';
import { QueueCounts } from './schemas.js';

/** Operators: what the `tickets` queue holds, and retrying its dead letters. */
export function registerQueueRoutes(app: HttpApp, context: TicketsContext): void {
  const security = [{ bearer: [] }];
  const queue = context.producers.tickets.queue;

  app.get(
    '/queue',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Jobs in the tickets queue by state',
        tags: ['queue'],
        security,
        response: { 200: QueueCounts, 503: ErrorBody },
      },
    },
    async () => {
      try {
        return { queue: queue.name, counts: await countJobs(queue) };
      } catch (error) {
        throw httpErrors.unavailable(
          `cannot read the queue: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  );

  app.post(
    '/queue/process',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Retry every failed ticket job now (a fresh retry horizon each)',
        tags: ['queue'],
        security,
        response: { 200: z.object({ retried: z.number() }), 503: ErrorBody },
      },
    },
    async (request) => {
      try {
        const retried = await retryFailedJobs(queue);
        request.log.info({ retried }, 'failed ticket jobs retried by an operator');
        return { retried };
      } catch (error) {
        throw httpErrors.unavailable(`cannot retry: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  );
}
