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
// `append_entry()` returns 1 when the entry is new, 0 when it was already there.
const APPEND_LUA = `${ACTIVITY_LUA}${APPEND_EVENT_LUA}
local function append_entry()
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
end
`;

const APPEND_SCRIPT = luaScript(`${APPEND_LUA}
return append_entry()
`);

// A sent message's entry (the append above), then, in the same round trip, what the
// outbound log records beside it: the channel id's mapping to the entry (for its status
// updates) and the classification the message carries, on its own entry and on the
// customer's message it answers (each only if that entry is logged). One script instead of
// five round trips and a dozen commands on every reply.
// KEYS: 1-9 as the append, 10 the channel id's mapping ('' key unused when there is none)
// ARGV: 1-10 as the append, 11 mapping JSON ('' for none), 12 classification JSON ('' for
//       none), 13 the answered entry's id
// Returns what the append returns.
const SENT_SCRIPT = luaScript(`${APPEND_LUA}
local added = append_entry()
if ARGV[11] ~= '' then redis.call('SET', KEYS[10], ARGV[11], 'EX', ARGV[4]) end
if ARGV[12] ~= '' then
  for _, id in ipairs({ARGV[1], ARGV[13]}) do
    if redis.call('HEXISTS', KEYS[2], id) == 1 then
      redis.call('HSET', KEYS[4], id, ARGV[12])
      redis.call('EXPIRE', KEYS[4], ARGV[4])
    end
  end
end
return added
`);

// The last entries of a chat's log before one (left out), with their statuses and
// classifications: the ids, then the three hashes read by them.
// KEYS: 1 log list, 2 entry hash, 3 status hash, 4 classification hash.
// Returns {} or {ids, bodies, statuses, classifications}, oldest first.
const RECENT_LUA = `
local function recent_entries(count, left_out)
  local ids = {}
  for _, id in ipairs(redis.call('LRANGE', KEYS[1], -(count + 1), -1)) do
    if id ~= left_out then ids[#ids + 1] = id end
  end
  while #ids > count do table.remove(ids, 1) end
  if #ids == 0 then return {} end
  return {ids, redis.call('HMGET', KEYS[2], unpack(ids)), redis.call('HMGET', KEYS[3], unpack(ids)),
    redis.call('HMGET', KEYS[4], unpack(ids))}
end
`;

// A customer's message appended (as the append above, whether new or a replay's), and the
// entries before it read back in the same round trip: the history its classification gets.
// KEYS and ARGV 1-10 as the append; ARGV 11 how many entries to read back.
const APPEND_RECALL_SCRIPT = luaScript(`${APPEND_LUA}${RECENT_LUA}
append_entry()
return recent_entries(tonumber(ARGV[11]), ARGV[1])
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
    return mergeEntries(ids, bodies, statuses, classifications);
  }

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

    /** Forgets the log (not the record): after a declined or withdrawn consent. */
    async dropLog(chatId: string): Promise<void> {
      const multi = redis.multi();
      deleteLog(multi, key, chatId, await redis.hvals(key.entries(chatId)));
      await exec(multi);
    },
  };
}

/** Entries by id from the three hashes read in the ids' order: body, latest status, classification. */
function mergeEntries(
  ids: readonly string[],
  bodies: readonly (string | null)[] | undefined,
  statuses: readonly (string | null)[] | undefined,
  classifications: readonly (string | null)[] | undefined,
): LogEntry[] {
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

/** Queues the deletion of a chat's log keys and the channel-id mappings of its sent messages. */
export function deleteLog(multi: Multi, key: ConversationKeys, chatId: string, bodies: readonly string[]): void {
  for (const body of bodies) {
    const providerId = (JSON.parse(body) as LogEntry).providerMessageId;
    if (providerId) multi.del(key.provider(providerId));
  }
  multi.del(key.log(chatId), key.entries(chatId), key.statuses(chatId), key.classifications(chatId));
}
