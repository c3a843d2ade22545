import type { HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { ConversationWindow } from '../cloud/conversation-window.js';

const Body = z.object({
  chats: z
    .array(z.string().regex(/^\d{7,15}$/, 'expected a wa_id: 7 to 15 digits with the country code'))
    .min(1)
    .max(1_000),
  /** Only chats whose customer wrote within this many hours (outage notices); 24 = the window. */
  within_hours: z.number().int().min(1).max(24).default(24),
});
const Answer = z.object({
  /** The chats whose 24-hour window is open now, in the order asked. */
  open: z.array(z.string()),
  checked_at: z.string(),
});

/**
 * POST /api/windows: which Cloud API chats are inside WhatsApp's 24-hour customer service
 * window now (or, with `within_hours`, whose customer wrote within that many hours). The
 * accounts service asks it for free-text broadcasts, which only reach those chats (outside
 * it Meta takes only templates), and for outage notices (customers who wrote lately).
 * Read-only; up to 1,000 chats per call.
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
      const hours = request.body.within_hours;
      const within = async (chat: string) => {
        if (hours === 24 || !window.lastMessageAt) return window.isOpen(chat, now);
        const last = await window.lastMessageAt(chat);
        return last !== undefined && now.getTime() - last < hours * 3_600_000;
      };
      const open = await Promise.all(chats.map(within));
      return { open: chats.filter((_, i) => open[i]), checked_at: now.toISOString() };
    },
  );
}
