import { CHANNELS } from '@helpline/contracts';
import { ErrorBody, type HttpApp, HttpError, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { DeskContext } from '../context.js';
import { ERASURE_STORES, eraseEverywhere } from '../erasure/erase-everywhere.js';
import { ChatParams, ConversationSummaryBody, IsoInstant, Page, QueryBoolean } from './query-fields.js';

const ListQuery = z.object({
  ...Page,
  number: z
    .string()
    .regex(/^[+\d\s().-]{3,32}$/, 'expected digits of a phone number (spaces, +, -, dots and brackets allowed)')
    .transform((value) => value.replace(/\D/g, ''))
    .optional()
    .describe('digits the chat id contains'),
  customer_id: z.string().trim().min(1).max(128).optional(),
  channel: z.enum(CHANNELS).optional(),
  state: z.enum(['open', 'handoff', 'closed']).optional(),
  has_open_ticket: QueryBoolean.optional().describe('a ticket was opened in the current conversation, not closed'),
  from: IsoInstant.optional().describe('last message at or after (ISO 8601 with offset)'),
  to: IsoInstant.optional().describe('last message before (ISO 8601 with offset)'),
  last_direction: z.enum(['inbound', 'outbound']).optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('full-text search over the messages (Spanish, accents folded)'),
});

const PageBody = { total: z.number().int(), page: z.number().int(), per_page: z.number().int() };

const MessageBody = z.object({
  messageId: z.string(),
  conversation: z.number().int(),
  direction: z.enum(['inbound', 'outbound']),
  kind: z.string(),
  text: z.string(),
  at: z.string(),
  mediaId: z.string().nullable(),
  mimeType: z.string().nullable(),
  classification: z.unknown(),
  correlationId: z.string().nullable(),
  purpose: z.string().nullable(),
  replyTo: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  customerId: z.string().nullable(),
  skipped: z.string().nullable(),
  status: z.string(),
  statusAt: z.string().nullable(),
  error: z.object({ code: z.number(), title: z.string().nullable() }).nullable(),
});

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

const secured = { security: [{ bearer: [] }], tags: ['conversations'] };
const errors = { 400: ErrorBody, 401: ErrorBody, 503: ErrorBody };

/** The staff's conversation routes over the archive, and the actions the gateway carries out. */
export function registerConversationRoutes(app: HttpApp, context: DeskContext): void {
  const { queries, gateway } = context;

  app.get(
    '/api/conversations',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'Chats in the archive, most recent first, with filters and full-text search',
        querystring: ListQuery,
        response: { 200: z.object({ ...PageBody, items: z.array(ConversationSummaryBody) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const { total, items } = await queries.list({
        page: q.page,
        perPage: q.per_page,
        number: q.number || undefined,
        customerId: q.customer_id,
        channel: q.channel,
        state: q.state,
        hasOpenTicket: q.has_open_ticket,
        from: q.from,
        to: q.to,
        lastDirection: q.last_direction,
        q: q.q,
      });
      return { total, page: q.page, per_page: q.per_page, items };
    },
  );

  app.get(
    '/api/conversations/:chatId',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'One chat (one row per channel it used)',
        params: ChatParams,
        response: {
          200: z.object({ chatId: z.string(), items: z.array(ConversationSummaryBody) }),
          404: ErrorBody,
          ...errors,
        },
      },
    },
    async (request) => {
      const { chatId } = request.params;
      const items = await queries.get(chatId);
      if (items.length === 0) throw httpErrors.notFound(`no archived conversation with ${chatId}`);
      return { chatId, items };
    },
  );

  app.get(
    '/api/conversations/:chatId/messages',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: "One chat's whole history, both directions, newest first, with delivery statuses",
        params: ChatParams,
        querystring: z.object(Page),
        response: {
          200: z.object({ chatId: z.string(), ...PageBody, items: z.array(MessageBody) }),
          404: ErrorBody,
          ...errors,
        },
      },
    },
    async (request) => {
      const { chatId } = request.params;
      const { page, per_page } = request.query;
      const result = await queries.messages(chatId, page, per_page);
      if (!result) throw httpErrors.notFound(`no archived conversation with ${chatId}`);
      return { chatId, ...result, page, per_page };
    },
  );

  app.get(
    '/api/customers/:customerId/conversations',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: "A customer's chats",
        params: z.object({ customerId: z.string().trim().min(1).max(128) }),
        querystring: z.object(Page),
        response: { 200: z.object({ ...PageBody, items: z.array(ConversationSummaryBody) }), ...errors },
      },
    },
    async (request) => {
      const { page, per_page } = request.query;
      const result = await queries.byCustomer(request.params.customerId, page, per_page);
      return { ...result, page, per_page };
    },
  );

  for (const action of ['close', 'resume'] as const) {
    app.post(
      `/api/conversations/:chatId/${action}`,
      {
        onRequest: app.operatorAuth,
        schema: {
          ...secured,
          summary:
            action === 'close'
              ? 'Close a resolved conversation: the next message starts a new one, greeted as a returning customer'
              : 'End a handoff: the bot answers this chat again',
          params: ChatParams,
          response: { 200: z.record(z.string(), z.unknown()), 404: ErrorBody, ...errors },
        },
      },
      async (request) => {
        const result = await gateway.act(action, request.params.chatId);
        if (!result) throw httpErrors.notFound(`the gateway has no live chat ${request.params.chatId}`);
        return result;
      },
    );
  }

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
      const where = state === undefined ? '' : `WHERE completed_at IS ${state === 'incomplete' ? '' : 'NOT '}NULL`;
      const total = await context.db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM erasure_requests ${where}`,
        [],
        'erasures_count',
      );
      const { rows } = await context.db.query<{
        chat_id: string;
        first_requested_at: Date;
        last_attempt_at: Date;
        attempts: number;
        completed_at: Date | null;
        outcome: { stores?: Record<string, unknown> };
      }>(
        `SELECT chat_id, first_requested_at, last_attempt_at, attempts, completed_at, outcome
           FROM erasure_requests ${where}
          ORDER BY first_requested_at DESC, chat_id LIMIT $1 OFFSET $2`,
        [per_page, (page - 1) * per_page],
        'erasures_list',
      );
      return {
        total: Number(total.rows[0]?.n ?? 0),
        page,
        per_page,
        items: rows.map((r) => ({
          chatId: r.chat_id,
          firstRequestedAt: new Date(r.first_requested_at).toISOString(),
          lastAttemptAt: new Date(r.last_attempt_at).toISOString(),
          attempts: r.attempts,
          completedAt: r.completed_at ? new Date(r.completed_at).toISOString() : null,
          stores: r.outcome.stores ?? {},
        })),
      };
    },
  );
}
