import { type ChatRecord, type ChatStateName, chatStateOf } from './chat-records.js';
import { type ChatSummary, createChatSummariser } from './chat-summary.js';
import type { ConversationMetrics } from './conversation-metrics.js';
import type { ConversationStore } from './conversation-store.js';
import type { Handoff } from './handoff.js';
import { createStaffActions } from './staff-actions.js';

export type { ChatSummary } from './chat-summary.js';

/** A chat counts as an active conversation while its last message is this recent. */
export const ACTIVE_WINDOW_MS = 30 * 60_000;
/** Records read per round trip while filtering the chat list. */
const SCAN_BATCH = 200;

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

/** The staff's view of conversations: lists, logs, counts; and their actions (staff-actions.ts). */
export function createStaffQueries(deps: StaffQueryDeps) {
  const { store } = deps;
  const summarise = createChatSummariser(store, deps.noticeVersion);

  /** Reads records for ids, dropping from the index the ones that expired. */
  async function records(ids: readonly string[]): Promise<ChatRecord[]> {
    const chats = await store.getChats(ids);
    const gone = ids.filter((_, i) => chats[i] === undefined);
    await store.dropFromIndex(gone);
    return chats.filter((c): c is ChatRecord => c !== undefined);
  }

  return {
    ...createStaffActions(deps, summarise),

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
