// What staff do to a chat: end a handoff, close it, erase it (a data-removal request).
import { ChatIdParams as ChatParams } from '@helpline/contracts';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { ChatEraser } from '../erasure/chat-eraser.js';
import { ChatSummaryBody, ErasureBody, errors, secured } from './conversation-route-schemas.js';
import type { Conversation } from './create-conversation.js';

export function registerChatActionRoutes(
  app: HttpApp,
  staff: Pick<Conversation['staff'], 'resume' | 'close'> & Pick<ChatEraser, 'erase'>,
): void {
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
}
