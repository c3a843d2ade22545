import { CHANNELS } from '@helpline/contracts';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { ConversationQueries } from '../queries/conversation-queries.js';
import {
  ChatParams,
  ConversationSummaryBody,
  IsoInstant,
  operatorErrors as errors,
  Page,
  PageBody,
  QueryBoolean,
  securedConversations as secured,
} from './query-fields.js';

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

/** The archive's chats and their histories, as staff query them. */
export function registerArchiveReadRoutes(app: HttpApp, queries: ConversationQueries): void {
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
}
