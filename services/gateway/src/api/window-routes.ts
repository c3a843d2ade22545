import type { HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { ConversationWindow } from '../cloud/conversation-window.js';

const Body = z.object({
  chats: z
    .array(z.string().regex(/^\d{7,15}$/, 'expected a wa_id: 7 to 15 digits with the country code'))
    .min(1)
    .max(1_000),
});
const Answer = z.object({
  /** The chats whose 24-hour window is open now, in the order asked. */
  open: z.array(z.string()),
  checked_at: z.string(),
});

/**
 * POST /api/windows: which Cloud API chats are inside WhatsApp's 24-hour customer service
 * window now. The accounts service asks it for free-text broadcasts, which only reach those
 * chats (outside it Meta takes only templates). Read-only; up to 1,000 chats per call.
 */
export function registerWindowRoutes(app: HttpApp, window: ConversationWindow, clock: () => Date): void {
  app.post(
    '/api/windows',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: "Which chats are inside WhatsApp's 24-hour window now",
        tags: ['conversations'],
        security: [{ bearer: [] }],
        body: Body,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const now = clock();
      const chats = [...new Set(request.body.chats)];
      const open = await Promise.all(chats.map((chat) => window.isOpen(chat, now)));
      return { open: chats.filter((_, i) => open[i]), checked_at: now.toISOString() };
    },
  );
}
