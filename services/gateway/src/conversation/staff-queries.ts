import { type ChatRecord, type ChatStateName, chatStateOf, hasConsent } from './chat-records.js';
import type { ConversationMetrics } from './conversation-metrics.js';
import type { ConversationStore } from './conversation-store.js';
import { chatClosed } from '../events/conversation-events.js';
import type { Handoff } from './handoff.js';

/** A chat counts as an active conversation while its last message is this recent. */
export const ACTIVE_WINDOW_MS = 30 * 60_000;
/** Records read per round trip while filtering the chat list. */
const SCAN_BATCH = 200;

export interface ChatSummary {
  chatId: string;
  state: ChatStateName;
  language: string | null;
  /** The WhatsApp profile name, kept only after consent. */
  name: string | null;
  consent: { version: string; at: string } | null;
  customerId: string | null;
  lastActivityAt: string | null;
  messages: number;
  /** Set while a person has the chat: staff should answer it. */
  handoff: { since: string | null; until: string; reason: string | null } | null;
}

export interface ChatListQuery {
  offset: number;
  limit: number;
  /** Digits the chat id must contain ("+57 300-123" matches 57300123...). */
  number?: string;
  state?: ChatStateName;
}

export interface StaffQueryDeps {
  store: ConversationStore;
  handoff: Handoff;
  metrics: ConversationMetrics;
  clock: () => Date;
  noticeVersion: string;
}

/** The staff's view of conversations: lists, logs, resume, forget, counts. */
export function createStaffQueries(deps: StaffQueryDeps) {
  const { store } = deps;

  async function summarise(chat: ChatRecord, nowMs: number): Promise<ChatSummary> {
    const state = chatStateOf(chat, deps.noticeVersion, nowMs);
    return {
      chatId: chat.chatId,
      state,
      language: chat.language ?? null,
      name: chat.senderName ?? null,
      consent:
        hasConsent(chat, deps.noticeVersion) && chat.consentAt
          ? { version: chat.consentVersion!, at: chat.consentAt }
          : null,
      customerId: chat.customerId ?? null,
      lastActivityAt: chat.lastActivityAt ? new Date(chat.lastActivityAt).toISOString() : null,
      messages: await store.logLength(chat.chatId),
      handoff:
        state === 'paused' && chat.pausedUntil
          ? {
              since: chat.handoffAt ?? null,
              until: new Date(chat.pausedUntil).toISOString(),
              reason: chat.handoffReason ?? null,
            }
          : null,
    };
  }

  /** Reads records for ids, dropping from the index the ones that expired. */
  async function records(ids: readonly string[]): Promise<ChatRecord[]> {
    const chats = await store.getChats(ids);
    const gone = ids.filter((_, i) => chats[i] === undefined);
    await store.dropFromIndex(gone);
    return chats.filter((c): c is ChatRecord => c !== undefined);
  }

  return {
    async listChats(query: ChatListQuery): Promise<{ total: number; items: ChatSummary[] }> {
      const nowMs = deps.clock().getTime();
      if (!query.number && !query.state) {
        const [total, ids] = await Promise.all([store.chatCount(), store.pageChatIds(query.offset, query.limit)]);
        const chats = await records(ids);
        return { total, items: await Promise.all(chats.map((c) => summarise(c, nowMs))) };
      }
      // Filters are applied over the whole index, newest first: a helpline holds thousands
      // of chats, not millions, and a filtered count must be exact.
      const digits = query.number?.replace(/\D/g, '') ?? '';
      let ids = await store.chatIds();
      if (digits) ids = ids.filter((id) => id.includes(digits));
      const matched: ChatRecord[] = [];
      for (let i = 0; i < ids.length; i += SCAN_BATCH) {
        for (const chat of await records(ids.slice(i, i + SCAN_BATCH))) {
          if (!query.state || chatStateOf(chat, deps.noticeVersion, nowMs) === query.state) matched.push(chat);
        }
      }
      const page = matched.slice(query.offset, query.offset + query.limit);
      return { total: matched.length, items: await Promise.all(page.map((c) => summarise(c, nowMs))) };
    },

    async chat(chatId: string): Promise<ChatSummary | undefined> {
      const chat = await store.getChat(chatId);
      return chat ? summarise(chat, deps.clock().getTime()) : undefined;
    },

    async messages(chatId: string, offset: number, limit: number) {
      const chat = await store.getChat(chatId);
      if (!chat) return undefined;
      return store.pageEntries(chatId, offset, limit);
    },

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

    async stats() {
      const nowMs = deps.clock().getTime();
      const [s, active] = await Promise.all([store.stats(nowMs), store.chatsActiveSince(nowMs - ACTIVE_WINDOW_MS)]);
      return {
        messages: { total: s.inbound + s.outbound, inbound: s.inbound, outbound: s.outbound },
        chats: { total: s.chats, withKnownCustomer: s.known, paused: s.paused, active },
        last24h: { inbound: s.inbound24h, outbound: s.outbound24h, chats: s.chats24h },
      };
    },
  };
}

export type StaffQueries = ReturnType<typeof createStaffQueries>;
