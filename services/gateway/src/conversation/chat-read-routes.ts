// The staff's reads of the conversation log: chats, one chat's messages, the totals.
import { ChatIdParams as ChatParams } from '@helpline/contracts';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import { ChatSummaryBody, EntryBody, errors, ListQuery, Page, secured } from './conversation-route-schemas.js';
import type { Conversation } from './create-conversation.js';

export function registerChatReadRoutes(
  app: HttpApp,
  staff: Pick<Conversation['staff'], 'listChats' | 'messages' | 'stats'>,
): void {
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
