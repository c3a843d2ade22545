import type { ConversationEvent } from '@helpline/contracts';
import { type Redis, whenReady } from '@helpline/runtime';
import type { ConversationEventStream } from '../../events/conversation-event-stream.js';
import type { ChatRecord } from '../chat-records.js';
import { type ConversationKeys, exec, type Multi } from './store-keys.js';

// Moves a chat record's `lastActivityAt` forward (never back: a replayed handling carries
// its first time), and only on a record that exists: an expired chat is not brought back
// as a hash holding nothing but a time and no expiry. Embedded by the scripts that note a
// message: the log's append and the message gate's record.
export const ACTIVITY_LUA = `
local function touch_activity(chat_key, at)
  if redis.call('EXISTS', chat_key) == 0 then return end
  local last = tonumber(redis.call('HGET', chat_key, 'lastActivityAt') or '0')
  if tonumber(at) > last then redis.call('HSET', chat_key, 'lastActivityAt', at) end
end
`;

const NUMBER_FIELDS = new Set(['lastActivityAt', 'pausedUntil']);

/** A chat hash as read from Redis; undefined when there is none. */
export function decodeChat(raw: Record<string, string>): ChatRecord | undefined {
  if (!raw.chatId) return undefined;
  const chat: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(raw)) chat[key] = NUMBER_FIELDS.has(key) ? Number(value) : value;
  return chat as unknown as ChatRecord;
}

export type ChatFields = { [K in keyof ChatRecord]?: ChatRecord[K] };

/**
 * One hash per chat (consent, mode, pause, language), the index of chats by last activity,
 * the paused chats by pause end and the set of identified chats.
 */
export function createChatRecordStore(options: {
  redis: Redis;
  key: ConversationKeys;
  ttlSeconds: number;
  events: ConversationEventStream;
}) {
  const { redis, key, ttlSeconds } = options;
  return {
    async getChat(chatId: string): Promise<ChatRecord | undefined> {
      await whenReady(redis);
      return decodeChat(await redis.hgetall(key.chat(chatId)));
    },

    async getChats(chatIds: readonly string[]): Promise<(ChatRecord | undefined)[]> {
      if (chatIds.length === 0) return [];
      const multi = redis.multi();
      for (const chatId of chatIds) multi.hgetall(key.chat(chatId));
      return (await exec(multi)).map((raw) => decodeChat(raw as Record<string, string>));
    },

    /**
     * Writes fields of a chat (and removes others), refreshes its expiry and its place in
     * the index, all in one transaction, with the conversation event the change records.
     */
    async updateChat(
      chatId: string,
      fields: ChatFields,
      remove: readonly (keyof ChatRecord)[] = [],
      nowMs?: number,
      event?: ConversationEvent,
    ): Promise<void> {
      const values: Record<string, string> = { chatId };
      for (const [name, value] of Object.entries(fields)) if (value !== undefined) values[name] = String(value);
      const multi = redis.multi();
      if (remove.length > 0) multi.hdel(key.chat(chatId), ...remove);
      multi.hset(key.chat(chatId), values);
      multi.expire(key.chat(chatId), ttlSeconds);
      if (nowMs !== undefined) multi.zadd(key.chats, nowMs, chatId);
      if (remove.includes('pausedUntil')) multi.zrem(key.paused, chatId);
      if (fields.pausedUntil !== undefined) multi.zadd(key.paused, fields.pausedUntil, chatId);
      if (fields.customerId !== undefined) multi.sadd(key.known, chatId);
      if (event) options.events.addTo(multi, event);
      await exec(multi);
    },

    /** Creates the record's first fields only when the chat is new. */
    async touchChat(chatId: string, createdAt: string): Promise<void> {
      await redis.hsetnx(key.chat(chatId), 'createdAt', createdAt);
    },

    /** Chat ids, most recently active first. */
    async chatIds(): Promise<string[]> {
      await whenReady(redis);
      return redis.zrevrange(key.chats, 0, -1);
    },

    async chatCount(): Promise<number> {
      await whenReady(redis);
      return redis.zcard(key.chats);
    },

    async pageChatIds(offset: number, limit: number): Promise<string[]> {
      return redis.zrevrange(key.chats, offset, offset + limit - 1);
    },

    /** Index members whose record expired (the index itself does not expire). */
    async dropFromIndex(chatIds: readonly string[]): Promise<void> {
      if (chatIds.length > 0) await redis.zrem(key.chats, ...chatIds);
    },

    async pausedChatIds(nowMs: number): Promise<string[]> {
      return redis.zrangebyscore(key.paused, `(${nowMs}`, '+inf');
    },
  };
}

/** Queues the deletion of a chat's record and its places in the indexes on a MULTI. */
export function deleteChatRecord(multi: Multi, key: ConversationKeys, chatId: string): void {
  multi.del(key.chat(chatId));
  multi.zrem(key.chats, chatId);
  multi.zrem(key.paused, chatId);
  multi.srem(key.known, chatId);
}
