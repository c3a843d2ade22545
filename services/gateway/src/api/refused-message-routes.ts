import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { GatewayContext } from '../context.js';

const RefusedBody = z.object({
  id: z.string(),
  reason: z.string(),
  chatId: z.string().optional(),
  receivedAt: z.string(),
  payload: z.unknown(),
});
const Page = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
// Redis stream ids: `<ms>-<sequence>`.
const IdParams = z.object({ id: z.string().regex(/^\d+-\d+$/, 'expected an id from GET /api/webhook/refused') });

const secured = { security: [{ bearer: [] }], tags: ['operator'] };
const errors = { 400: ErrorBody, 401: ErrorBody, 503: ErrorBody };

/**
 * The webhook messages that could not enter the pipeline (GET to read them with what was
 * wrong, DELETE once dealt with). The webhook answered 200 for them so that Meta does not
 * redeliver a payload that can never be taken; this is where they wait instead.
 */
export async function refusedMessageRoutes(app: HttpApp, context: GatewayContext): Promise<void> {
  const store = context.refusedMessages;
  const unavailable = (error: unknown): never => {
    if (!(error instanceof HttpError) && context.redis('producer').status !== 'ready') {
      throw httpErrors.unavailable('Redis is unavailable; try again later');
    }
    throw error;
  };

  app.get(
    '/api/webhook/refused',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'Webhook messages kept aside (no id or sender, or refused by the inbound contract), newest first',
        querystring: Page,
        response: {
          200: z.object({ total: z.number(), offset: z.number(), limit: z.number(), items: z.array(RefusedBody) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await store.list(offset, limit).catch(unavailable);
      return { ...page, offset, limit };
    },
  );

  app.delete(
    '/api/webhook/refused/:id',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'Remove one kept message once it has been dealt with',
        params: IdParams,
        response: { 200: z.object({ id: z.string(), removed: z.literal(true) }), 404: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await store.remove(id).catch(unavailable))) throw httpErrors.notFound(`no refused message ${id}`);
      return { id, removed: true as const };
    },
  );
}
