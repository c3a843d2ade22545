// What staff do to a chat: end its handoff, close it, forget it.
import { chatClosed } from '../events/conversation-events.js';
import type { ChatSummary, Summarise } from './chat-summary.js';
import { chatStateOf } from './chat-records.js';
import type { StaffQueryDeps } from './staff-queries.js';

export function createStaffActions(deps: StaffQueryDeps, summarise: Summarise) {
  const { store } = deps;
  return {
    /** Ends a handoff. Undefined for an unknown chat; `resumed` false when it was not paused. */
    async resume(chatId: string): Promise<{ resumed: boolean; chat: ChatSummary } | undefined> {
      const nowMs = deps.clock().getTime();
      const chat = await store.getChat(chatId);
      if (!chat) return undefined;
      const wasPaused = chatStateOf(chat, deps.noticeVersion, nowMs) === 'paused';
      if (chat.pausedUntil !== undefined) await deps.handoff.end(chatId, 'staff', deps.clock());
      if (wasPaused) deps.metrics.event('resume');
      const after = await store.getChat(chatId);
      return { resumed: wasPaused, chat: await summarise(after ?? chat, nowMs) };
    },

    /**
     * Closes the conversation (resolved): a handoff ends, the menu state resets, and the
     * next message starts a new conversation in the archive, greeted as a returning customer.
     * Undefined for an unknown chat.
     */
    async close(chatId: string): Promise<{ closed: boolean; chat: ChatSummary } | undefined> {
      const now = deps.clock();
      const chat = await store.getChat(chatId);
      if (!chat) return undefined;
      if (chat.pausedUntil !== undefined) await deps.handoff.end(chatId, 'staff', now);
      await store.updateChat(
        chatId,
        { closedAt: now.toISOString() },
        ['mode', 'pausedUntil', 'handoffAt', 'handoffReason'],
        undefined,
        chatClosed(chatId, now),
      );
      const after = await store.getChat(chatId);
      return { closed: true, chat: await summarise(after ?? chat, now.getTime()) };
    },

    /** Forgets a chat entirely (a data-removal request). Undefined when nothing was known. */
    async forget(chatId: string): Promise<{ messages: number } | undefined> {
      const { existed, messages } = await store.forget(chatId, deps.clock().getTime());
      if (!existed) return undefined;
      deps.metrics.event('forgotten');
      return { messages };
    },
  };
}
