// The appends to a chat's log: one script each, so an entry, its counters, its event and
// what goes beside it (a sent message's mapping, a message's history read back) are one
// round trip.
import type { Classification, ConversationEvent } from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';
import type { ConversationEventStream } from '../../events/conversation-event-stream.js';
import type { LogEntry } from '../chat-records.js';
import { mergeEntries } from './log-entries.js';
import { APPEND_RECALL_SCRIPT, APPEND_SCRIPT, HOURLY_TTL_SECONDS, SENT_SCRIPT } from './log-scripts.js';
import { type ConversationKeys, HOUR_MS } from './store-keys.js';

export interface LogStoreOptions {
  redis: Redis;
  key: ConversationKeys;
  historyMax: number;
  ttlSeconds: number;
  events: ConversationEventStream;
}

export function createLogAppends(options: LogStoreOptions) {
  const { redis, key, historyMax, ttlSeconds, events } = options;

  /** The keys and arguments of an append (the first nine keys, ten arguments of both scripts). */
  function appendParts(chatId: string, entry: LogEntry, nowMs: number, event: ConversationEvent | undefined) {
    const hour = Math.floor(nowMs / HOUR_MS);
    return {
      keys: [
        key.log(chatId),
        key.entries(chatId),
        key.statuses(chatId),
        key.classifications(chatId),
        key.totals,
        key.hour(hour),
        key.chats,
        key.chat(chatId),
        events.key,
      ],
      args: [
        entry.id,
        JSON.stringify(entry),
        historyMax,
        ttlSeconds,
        entry.direction,
        nowMs,
        chatId,
        HOURLY_TTL_SECONDS,
        events.encode(event),
        events.maxLen,
      ],
    };
  }

  return {
    /** Appends an entry once per id, with its event; false when it was already logged. */
    async append(chatId: string, entry: LogEntry, nowMs: number, event?: ConversationEvent): Promise<boolean> {
      const { keys, args } = appendParts(chatId, entry, nowMs, event);
      return (await APPEND_SCRIPT.run(redis, keys, args)) === 1;
    },

    /**
     * Appends an entry (as `append`) and returns the last `count` entries before it, oldest
     * first, read in the same script: a message's history for its classification.
     */
    async appendAndRecall(
      chatId: string,
      entry: LogEntry,
      nowMs: number,
      event: ConversationEvent,
      count: number,
    ): Promise<LogEntry[]> {
      const { keys, args } = appendParts(chatId, entry, nowMs, event);
      const found = (await APPEND_RECALL_SCRIPT.run(redis, keys, [...args, count])) as
        | []
        | [string[], (string | null)[], (string | null)[], (string | null)[]];
      return found.length === 0 ? [] : mergeEntries(...found);
    },

    /**
     * Appends a sent message's entry (as `append`) and, in the same script, maps its channel
     * id to the entry (`providerMessageId`, for its status updates) and attaches its
     * classification to the entry and to the customer's message it answers (`answers`),
     * each only if logged. False when the entry was already logged.
     */
    async appendSent(
      chatId: string,
      entry: LogEntry,
      nowMs: number,
      event: ConversationEvent,
      beside: { answers: string; classification?: Classification },
    ): Promise<boolean> {
      const { keys, args } = appendParts(chatId, entry, nowMs, event);
      const provider = entry.providerMessageId;
      const added = await SENT_SCRIPT.run(
        redis,
        [...keys, provider ? key.provider(provider) : ''],
        [
          ...args,
          provider ? JSON.stringify({ chatId, entryId: entry.id }) : '',
          beside.classification ? JSON.stringify(beside.classification) : '',
          beside.answers,
        ],
      );
      return added === 1;
    },
  };
}
