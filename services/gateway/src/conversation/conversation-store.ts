import { type Redis, whenReady } from '@helpline/runtime';
import type { ConversationEventStream } from '../events/conversation-event-stream.js';
import { createChatRecordStore, deleteChatRecord } from './store/chat-record-store.js';
import { createConversationLog, deleteLog } from './store/conversation-log.js';
import { createConversationStats } from './store/conversation-stats.js';
import { createMessageGate } from './store/message-gate.js';
import { deleteRateWindows } from './store/rate-windows.js';
import { conversationKeys, exec } from './store/store-keys.js';

export type { ChatFields } from './store/chat-record-store.js';
export type { EntryStatus } from './store/conversation-log.js';

export interface ConversationStoreOptions {
  redis: Redis;
  /** Prefix of every key (tests use a unique one). */
  prefix: string;
  historyMax: number;
  ttlDays: number;
  /** The desk's event stream: facts recorded here carry their event in the same write. */
  events: ConversationEventStream;
}

/**
 * Every piece of conversation state in Redis, one module per kind (`store/`): the chat
 * records and their indexes, each chat's log, the message gate that makes redelivery
 * harmless (and counts the rate-limit windows) and the counters for /api/stats. Only forgetting a chat
 * spans them all, in one transaction.
 */
export function createConversationStore(options: ConversationStoreOptions) {
  // The connection has no offline queue; the first command of each operation waits a
  // moment for it (just after start, during a reconnect) instead of failing at once.
  const { redis } = options;
  const key = conversationKeys(options.prefix);
  const ttlSeconds = options.ttlDays * 24 * 3600;
  const parts = { redis, key };

  return {
    ...createChatRecordStore({ ...parts, ttlSeconds, events: options.events }),
    ...createConversationLog({ ...parts, historyMax: options.historyMax, ttlSeconds, events: options.events }),
    ...createMessageGate({ ...parts, chatTtlSeconds: ttlSeconds }),
    ...createConversationStats(parts),

    /** Whether the connection is up: tells "Redis away" from other failures. */
    connected(): boolean {
      return redis.status === 'ready';
    },

    /**
     * Forgets everything about a chat, its live rate-limit windows too (their keys name
     * the number). Returns how many log entries went with it.
     */
    async forget(chatId: string, nowMs: number): Promise<{ existed: boolean; messages: number }> {
      await whenReady(redis);
      const [exists, messages] = await Promise.all([
        redis.exists(key.chat(chatId), key.log(chatId)),
        redis.llen(key.log(chatId)),
      ]);
      const multi = redis.multi();
      deleteLog(multi, key, chatId, await redis.hvals(key.entries(chatId)));
      deleteChatRecord(multi, key, chatId);
      deleteRateWindows(multi, key, chatId, nowMs);
      await exec(multi);
      return { existed: exists > 0, messages };
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
