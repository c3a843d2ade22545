import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { ConversationQueries } from '../queries/conversation-queries.js';
import { ChatParams, operatorErrors as errors, secured } from './query-fields.js';

/** A chat's consent evidence (Ley 1581), kept through erasure and retention. */
export function registerConsentRoutes(app: HttpApp, queries: ConversationQueries): void {
  app.get(
    '/api/consents/:chatId',
    {
      onRequest: app.operatorAuth,
      schema: {
        ...secured,
        tags: ['consents'],
        summary: "A chat's consent evidence (Ley 1581): each answer, the notice shown and its hash, oldest first",
        params: ChatParams,
        response: {
          200: z.object({
            chatId: z.string(),
            current: z.enum(['given', 'declined', 'withdrawn']).nullable(),
            records: z.array(
              z.object({
                decision: z.string(),
                channel: z.string(),
                noticeVersion: z.string(),
                noticeSha256: z.string(),
                noticeText: z.string().nullable(),
                noticeLanguage: z.string().nullable(),
                messageId: z.string(),
                at: z.string(),
                archivedAt: z.string(),
              }),
            ),
          }),
          404: ErrorBody,
          ...errors,
        },
      },
    },
    async (request) => {
      const { chatId } = request.params;
      const records = await queries.consents(chatId);
      if (records.length === 0) throw httpErrors.notFound(`no consent record for ${chatId}`);
      const current = records.at(-1)?.decision as 'given' | 'declined' | 'withdrawn';
      return { chatId, current, records };
    },
  );
}
