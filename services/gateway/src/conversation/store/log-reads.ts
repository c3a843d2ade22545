// What is read from a chat's log: pages of entries, its length, the channel-id mappings of
// sent messages, and the traces of its messages.
import { type Redis, whenReady } from '@helpline/runtime';
import type { LogEntry } from '../chat-records.js';
import { mergeEntries } from './log-entries.js';
import { type ConversationKeys, exec } from './store-keys.js';

export function createLogReads(options: { redis: Redis; key: ConversationKeys }) {
  const { redis, key } = options;

  /** Entries by id, each with its latest status and its classification merged in. */
  async function readEntries(chatId: string, ids: readonly string[]): Promise<LogEntry[]> {
    if (ids.length === 0) return [];
    const [bodies, statuses, classifications] = (await exec(
      redis
        .multi()
        .hmget(key.entries(chatId), ...ids)
        .hmget(key.statuses(chatId), ...ids)
        .hmget(key.classifications(chatId), ...ids),
    )) as (string | null)[][];
    return mergeEntries(ids, bodies, statuses, classifications);
  }

  return {
    /** A page of the log, newest first. */
    async pageEntries(chatId: string, offset: number, limit: number): Promise<{ total: number; items: LogEntry[] }> {
      const total = await redis.llen(key.log(chatId));
      // The list is oldest first: the newest `offset..offset+limit` are counted from its end.
      const end = total - 1 - offset;
      if (end < 0) return { total, items: [] };
      const start = Math.max(0, end - limit + 1);
      const ids = await redis.lrange(key.log(chatId), start, end);
      if (ids.length === 0) return { total, items: [] };
      return { total, items: (await readEntries(chatId, ids)).reverse() };
    },

    async logLength(chatId: string): Promise<number> {
      return redis.llen(key.log(chatId));
    },

    async lookupProviderId(providerMessageId: string): Promise<{ chatId: string; entryId: string } | undefined> {
      const raw = await redis.get(key.provider(providerMessageId));
      return raw ? (JSON.parse(raw) as { chatId: string; entryId: string }) : undefined;
    },

    /** What the log knows of a chat's messages (either way): ids, purposes, channel ids. */
    async logTraces(chatId: string): Promise<Pick<LogEntry, 'id' | 'direction' | 'purpose' | 'providerMessageId'>[]> {
      await whenReady(redis);
      return (await redis.hvals(key.entries(chatId))).map((body) => {
        const { id, direction, purpose, providerMessageId } = JSON.parse(body) as LogEntry;
        return { id, direction, purpose, providerMessageId };
      });
    },
  };
}
