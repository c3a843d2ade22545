import type { Classification, ConversationEvent } from '@helpline/contracts';
import { luaScript, type Redis, whenReady } from '@helpline/runtime';
import { APPEND_EVENT_LUA, type ConversationEventStream } from '../../events/conversation-event-stream.js';
import type { DeliveryState, LogEntry } from '../chat-records.js';
import { ACTIVITY_LUA } from './chat-record-store.js';
import { type ConversationKeys, exec, HOUR_MS, type Multi } from './store-keys.js';

/** Hourly counters are kept two days, enough to sum the last 24 hours. */
const HOURLY_TTL_SECONDS = 49 * 3600;

// Appends one entry to a chat's log, once: a repeated id (a redelivered message, a
// replayed handling) changes nothing and counts nothing. Trims the oldest entries past the
// cap (their bodies, statuses and classifications with them), refreshes the expiry and
// the chat's last activity, and appends the entry's conversation event (only when new, so
// the event goes out exactly once with the entry and costs no command of its own).
// KEYS: 1 log list, 2 entry hash, 3 status hash, 4 classification hash, 5 totals hash,
//       6 this hour's hash, 7 chat index zset, 8 chat hash, 9 event stream
// ARGV: 1 entry id, 2 entry JSON, 3 cap, 4 ttl s, 5 direction, 6 now ms, 7 chat id, 8 hourly ttl s,
//       9 event JSON ('' for none), 10 stream cap
// Returns 1 when the entry is new, 0 when it was already there.
const APPEND_SCRIPT = luaScript(`${ACTIVITY_LUA}${APPEND_EVENT_LUA}
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
local over = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[3])
if over > 0 then
  local old = redis.call('LRANGE', KEYS[1], 0, over - 1)
  redis.call('LTRIM', KEYS[1], over, -1)
  for _, id in ipairs(old) do
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  end
end
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
redis.call('HINCRBY', KEYS[5], ARGV[5], 1)
redis.call('HINCRBY', KEYS[6], ARGV[5], 1)
redis.call('EXPIRE', KEYS[6], ARGV[8])
redis.call('ZADD', KEYS[7], ARGV[6], ARGV[7])
touch_activity(KEYS[8], ARGV[6])
append_event(KEYS[9], ARGV[9], ARGV[10])
return 1
`);

// Records a delivery status of one logged entry. A status only moves forward (sent,
// delivered, read, played: a voice note is played after it is read) since Meta may report
// them out of order; "failed" always wins.
// Statuses live in their own hash, beside the bodies, so no JSON holding arrays is ever
// decoded and re-encoded in Lua (cjson would turn an empty array into an object).
// KEYS: 1 entry hash, 2 status hash. ARGV: 1 entry id, 2 status, 3 status JSON, 4 ttl s.
// Returns 1 when stored, 0 when the entry is unknown or the status is not newer.
const STATUS_SCRIPT = luaScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local rank = { received = 0, sent = 1, delivered = 2, read = 3, played = 4, failed = 9 }
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current then
  local was = cjson.decode(current).status
  if (rank[ARGV[2]] or 0) <= (rank[was] or 0) then return 0 end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
`);

/** The delivery state of a logged outbound message, kept beside its body. */
export interface EntryStatus {
  status: DeliveryState;
  statusAt: string;
  error?: { code: number; title?: string };
}

/**
 * A chat's log: a list of ids plus hashes of bodies, statuses and classifications, capped
 * and expiring; the channel-id mappings of sent messages; the counters an append feeds.
 */
export function createConversationLog(options: {
  redis: Redis;
  key: ConversationKeys;
  historyMax: number;
  ttlSeconds: number;
  events: ConversationEventStream;
}) {
  const { redis, key, historyMax, ttlSeconds, events } = options;

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
    const entries: LogEntry[] = [];
    ids.forEach((_, i) => {
      const body = bodies?.[i];
      if (!body) return;
      const entry = JSON.parse(body) as LogEntry;
      const status = statuses?.[i];
      if (status) Object.assign(entry, JSON.parse(status) as EntryStatus);
      const classification = classifications?.[i];
      if (classification) entry.classification = JSON.parse(classification) as Classification;
      entries.push(entry);
    });
    return entries;
  }

  return {
    /** Appends an entry once per id, with its event; false when it was already logged. */
    async append(chatId: string, entry: LogEntry, nowMs: number, event?: ConversationEvent): Promise<boolean> {
      const hour = Math.floor(nowMs / HOUR_MS);
      const added = await APPEND_SCRIPT.run(
        redis,
        [
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
        [
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
      );
      return added === 1;
    },

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

    /** Attaches a classification to a logged entry; false when the entry is unknown. */
    async setClassification(chatId: string, entryId: string, classification: Classification): Promise<boolean> {
      if (!(await redis.hexists(key.entries(chatId), entryId))) return false;
      await exec(
        redis
          .multi()
          .hset(key.classifications(chatId), entryId, JSON.stringify(classification))
          .expire(key.classifications(chatId), ttlSeconds),
      );
      return true;
    },

    /** The last `count` entries before (and without) `excludeId`, oldest first. */
    async recentEntries(chatId: string, count: number, excludeId?: string): Promise<LogEntry[]> {
      const ids = (await redis.lrange(key.log(chatId), -(count + 1), -1))
        .filter((id) => id !== excludeId)
        .slice(-count);
      if (ids.length === 0) return [];
      return readEntries(chatId, ids);
    },

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

    /** Remembers which chat entry a channel's message id belongs to, for its status updates. */
    async mapProviderId(providerMessageId: string, chatId: string, entryId: string): Promise<void> {
      await redis.set(key.provider(providerMessageId), JSON.stringify({ chatId, entryId }), 'EX', ttlSeconds);
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
