import { ChatIdParams as ChatParams, Classification } from '@helpline/contracts';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { ChatEraser } from '../erasure/chat-eraser.js';
import { CHAT_STATES } from './chat-records.js';
import type { Conversation } from './create-conversation.js';

const Page = {
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};
const ListQuery = z.object({
  ...Page,
  number: z
    .string()
    .regex(/^[+\d\s().-]{3,32}$/, 'expected digits of a phone number (spaces, +, -, dots and brackets allowed)')
    .optional()
    .describe('digits the chat id contains'),
  state: z.enum(CHAT_STATES).optional(),
});

const ChatSummaryBody = z.object({
  chatId: z.string(),
  state: z.enum(CHAT_STATES),
  language: z.string().nullable(),
  name: z.string().nullable(),
  consent: z.object({ version: z.string(), at: z.string() }).nullable(),
  customerId: z.string().nullable(),
  lastActivityAt: z.string().nullable(),
  messages: z.number().int(),
  handoff: z.object({ since: z.string().nullable(), until: z.string(), reason: z.string().nullable() }).nullable(),
});
const EntryBody = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  type: z.string(),
  text: z.string(),
  at: z.string(),
  status: z.enum(['received', 'sent', 'delivered', 'read', 'played', 'failed']),
  statusAt: z.string().optional(),
  purpose: z.string().optional(),
  providerMessageId: z.string().optional(),
  customerId: z.string().optional(),
  classification: Classification.optional(),
  mediaId: z.string().optional().describe('inbound media: fetch it with GET /api/media/{mediaId}'),
  transcript: z.string().optional().describe('a voice note: what the classifier heard in it'),
  answer: z
    .object({ source: z.string(), entries: z.array(z.string()) })
    .optional()
    .describe("the classifier's assistant wrote this message: who, and from which knowledge entries"),
  skipped: z.enum(['paused', 'rate_limited']).optional(),
  error: z.object({ code: z.number(), title: z.string().optional() }).optional(),
});

const ErasureBody = z.object({
  messages: z.number(),
  jobs: z.object({
    inbound: z.number(),
    outbound: z.number(),
    diagnostics: z.number(),
    accounts: z.number().optional(),
  }),
  activeJobsLeft: z.number(),
  deliveryRecords: z.number(),
  arrivals: z.number(),
  refusedMessages: z.number(),
  streamEvents: z.number(),
  window: z.boolean(),
  pacing: z.boolean(),
});

const secured = { security: [{ bearer: [] }], tags: ['conversations'] };
const errors = { 400: ErrorBody, 401: ErrorBody, 503: ErrorBody };

/**
 * Staff endpoints over the conversation log (bearer `API_TOKEN`). DELETE goes through the
 * eraser: a data-removal request takes what the rest of the gateway keeps about the chat too.
 */
export function registerConversationRoutes(app: HttpApp, conversation: Conversation, eraser: ChatEraser): void {
  // Redis away is answered 503 `unavailable` by the app's error handler, not here.
  const staff = { ...conversation.staff, erase: eraser.erase };

  app.get(
    '/api/conversations',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'Chats, most recently active first; filter by number or state',
        querystring: ListQuery,
        response: {
          200: z.object({ total: z.number(), offset: z.number(), limit: z.number(), items: z.array(ChatSummaryBody) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { offset, limit, number, state } = request.query;
      const page = await staff.listChats({ offset, limit, number, state });
      return { ...page, offset, limit };
    },
  );

  app.get(
    '/api/conversations/:chatId/messages',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: "One chat's log, newest first",
        params: ChatParams,
        querystring: z.object(Page),
        response: {
          200: z.object({
            chatId: z.string(),
            total: z.number(),
            offset: z.number(),
            limit: z.number(),
            items: z.array(EntryBody),
          }),
          404: ErrorBody,
          ...errors,
        },
      },
    },
    async (request) => {
      const { chatId } = request.params;
      const { offset, limit } = request.query;
      const page = await staff.messages(chatId, offset, limit);
      if (!page) throw httpErrors.notFound(`no conversation with ${chatId}`);
      return { chatId, ...page, offset, limit };
    },
  );

  app.post(
    '/api/conversations/:chatId/resume',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'End a handoff: the bot answers this chat again',
        params: ChatParams,
        response: { 200: z.object({ resumed: z.boolean(), chat: ChatSummaryBody }), 404: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const result = await staff.resume(request.params.chatId);
      if (!result) throw httpErrors.notFound(`no conversation with ${request.params.chatId}`);
      return result;
    },
  );

  app.post(
    '/api/conversations/:chatId/close',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'Close a resolved conversation: the next message starts a new one, greeted as a returning customer',
        params: ChatParams,
        response: { 200: z.object({ closed: z.boolean(), chat: ChatSummaryBody }), 404: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const result = await staff.close(request.params.chatId);
      if (!result) throw httpErrors.notFound(`no conversation with ${request.params.chatId}`);
      return result;
    },
  );

  app.delete(
    '/api/conversations/:chatId',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary:
          'Erase a chat (data-removal requests): its log, state and consent, and its jobs, delivery records and keys',
        params: ChatParams,
        response: {
          200: z.object({ chatId: z.string(), forgotten: z.literal(true), messages: z.number(), erased: ErasureBody }),
          404: ErrorBody,
          ...errors,
        },
      },
    },
    async (request) => {
      const { chatId } = request.params;
      const erased = await staff.erase(chatId);
      if (!erased) throw httpErrors.notFound(`nothing is kept about ${chatId}`);
      return { chatId, forgotten: true as const, messages: erased.messages, erased };
    },
  );

  app.get(
    '/api/stats',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        summary: 'Conversation totals, the last 24 hours and the active conversations',
        response: {
          200: z.object({
            messages: z.object({ total: z.number(), inbound: z.number(), outbound: z.number() }),
            chats: z.object({
              total: z.number(),
              withKnownCustomer: z.number(),
              paused: z.number(),
              active: z.number(),
            }),
            last24h: z.object({ inbound: z.number(), outbound: z.number(), chats: z.number() }),
          }),
          ...errors,
        },
      },
    },
    async () => staff.stats(),
  );
}
