import { ErrorBody, type HttpApp, HttpError } from '@helpline/runtime';
import { z } from 'zod';
import type { DeskContext } from '../context.js';
import { ERASURE_STORES, eraseEverywhere } from '../erasure/erase-everywhere.js';
import { listErasures } from '../queries/erasure-queries.js';
import {
  ChatParams,
  operatorErrors as errors,
  Page,
  PageBody,
  securedConversations as secured,
} from './query-fields.js';

const StepBody = z.object({
  status: z.enum(['erased', 'nothing', 'skipped', 'failed']),
  erased: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().optional(),
});

const ErasureBody = z.object({
  chatId: z.string(),
  complete: z.boolean(),
  attempt: z.number().int(),
  stores: z.object({
    gateway: StepBody,
    tickets: StepBody,
    network: StepBody,
    accounts: StepBody,
    archive: StepBody,
  }),
  customerIds: z.array(z.string()),
  consentRecordsKept: z.number().int(),
});

/** Data-removal requests: erase a chat everywhere, and how far each request got. */
export function registerErasureRoutes(app: HttpApp, context: DeskContext): void {
  const { gateway } = context;

  app.delete(
    '/api/conversations/:chatId',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary:
          'Erase a chat everywhere (data-removal request): gateway, tickets, network, accounts and the archive; consent evidence is kept. 502 erasure_incomplete names the stores not reached: repeat it',
        params: ChatParams,
        response: { 200: ErasureBody, 502: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const outcome = await eraseEverywhere(
        { db: context.db, gateway, ...context.services, clock: context.clock, logger: request.log },
        request.params.chatId,
      );
      if (!outcome.complete) {
        const failed = ERASURE_STORES.flatMap((store) => {
          const step = outcome.stores[store];
          return step.status === 'failed' ? [`${store} (${step.reason})`] : [];
        });
        throw new HttpError(
          502,
          'erasure_incomplete',
          `not erased from ${failed.join('; ')}; the other stores are erased. Repeat the request: every step is safe to repeat`,
          outcome,
        );
      }
      return outcome;
    },
  );

  app.get(
    '/api/erasures',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'Data-removal requests and how far each got; state=incomplete lists those to repeat',
        querystring: z.object({ ...Page, state: z.enum(['incomplete', 'complete']).optional() }),
        response: {
          200: z.object({
            ...PageBody,
            items: z.array(
              z.object({
                chatId: z.string(),
                firstRequestedAt: z.string(),
                lastAttemptAt: z.string(),
                attempts: z.number().int(),
                completedAt: z.string().nullable(),
                stores: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { page, per_page, state } = request.query;
      const { total, items } = await listErasures(context.db, { page, perPage: per_page, state });
      return { total, page, per_page, items };
    },
  );
}
