import type { LogEntry } from '../chat-records.js';
import { createLogAppends, type LogStoreOptions } from './log-appends.js';
import type { EntryStatus } from './log-entries.js';
import { createLogReads } from './log-reads.js';
import { STATUS_SCRIPT } from './log-scripts.js';
import { type ConversationKeys, exec, type Multi } from './store-keys.js';

export type { EntryStatus };

/**
 * A chat's log: a list of ids plus hashes of bodies, statuses and classifications, capped
 * and expiring; the channel-id mappings of sent messages; the counters an append feeds.
 * Appends (log-appends.ts) and reads (log-reads.ts) are their own modules; the writes that
 * change entries already logged are here.
 */
export function createConversationLog(options: LogStoreOptions) {
  const { redis, key, ttlSeconds } = options;

  return {
    ...createLogAppends(options),
    ...createLogReads(options),

    /** Records a delivery status; false when the entry is unknown or the status older. */
    async setStatus(chatId: string, entryId: string, status: EntryStatus): Promise<boolean> {
      const stored = await STATUS_SCRIPT.run(
        redis,
        [key.entries(chatId), key.statuses(chatId)],
        [entryId, status.status, JSON.stringify(status), ttlSeconds],
      );
      return stored === 1;
    },

    /**
     * Adds the transcript to a logged voice note's entry; false when the entry is unknown.
     * The entry body is rewritten in place, so trimming and erasure take it with the entry.
     */
    async setTranscript(chatId: string, entryId: string, transcript: string): Promise<boolean> {
      const body = await redis.hget(key.entries(chatId), entryId);
      if (!body) return false;
      const entry = JSON.parse(body) as LogEntry;
      if (entry.transcript === transcript) return true;
      await redis.hset(key.entries(chatId), entryId, JSON.stringify({ ...entry, transcript }));
      return true;
    },

    /** Forgets the log (not the record): after a declined or withdrawn consent. */
    async dropLog(chatId: string): Promise<void> {
      const multi = redis.multi();
      deleteLog(multi, key, chatId, await redis.hvals(key.entries(chatId)));
      await exec(multi);
    },
  };
}

/** Queues the deletion of a chat's log keys and the channel-id mappings of its sent messages. */
export function deleteLog(multi: Multi, key: ConversationKeys, chatId: string, bodies: readonly string[]): void {
  for (const body of bodies) {
    const providerId = (JSON.parse(body) as LogEntry).providerMessageId;
    if (providerId) multi.del(key.provider(providerId));
  }
  multi.del(key.log(chatId), key.entries(chatId), key.statuses(chatId), key.classifications(chatId));
}
