import type { HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import type { ChatChannels, OneToOneChannel } from '../outbound/chat-channel.js';

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
 * POST /api/windows: which chats are inside WhatsApp's 24-hour customer service window now
 * on the channel a message to them would take (the one each last wrote on, else the
 * deployment's: see chat-channel.ts), or, with `within_hours`, whose customer wrote within
 * that many hours on either number. The accounts service asks it for free-text broadcasts,
 * which only reach those chats (outside it WhatsApp takes only templates), and for outage
 * notices (customers who wrote lately). Read-only; up to 1,000 chats per call.
 */
export function registerWindowRoutes(
  app: HttpApp,
  windows: Record<OneToOneChannel, ConversationWindow>,
  channels: Pick<ChatChannels, 'of'>,
  clock: () => Date,
): void {
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
      const wroteWithin = async (chat: string) => {
        for (const window of Object.values(windows)) {
          const last = await window.lastMessageAt?.(chat);
          if (last !== undefined && now.getTime() - last < hours * 3_600_000) return true;
        }
        return false;
      };
      const channelOf = await channels.of(chats);
      const within = (chat: string, i: number) => {
        if (hours !== 24) return wroteWithin(chat);
        const channel = channelOf[i];
        return channel ? windows[channel].isOpen(chat, now) : Promise.resolve(false);
      };
      const open = await Promise.all(chats.map(within));
      return { open: chats.filter((_, i) => open[i]), checked_at: now.toISOString() };
    },
  );
}
