import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { GatewayClient } from '../gateway/gateway-client.js';
import { ChatParams, operatorErrors as errors, securedConversations as secured } from './query-fields.js';

/**
 * Close and resume, carried out by the gateway's own routes: only the gateway writes a
 * chat's live state; the archive learns of it from the events that follow.
 */
export function registerChatActionRoutes(app: HttpApp, gateway: GatewayClient): void {
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
}
