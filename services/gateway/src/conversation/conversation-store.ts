import { luaScript, whenReady } from '@helpline/runtime';
import type { Classification } from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';
import type { ChatRecord, DeliveryState, LogEntry } from './chat-records.js';

export interface ConversationStoreOptions {
  redis: Redis;
  /** Prefix of every key (tests use a unique one). */
  prefix: string;
  historyMax: number;
  ttlDays: number;
}

/** How long a handled message's id is remembered: Meta redelivers for up to seven days. */
const HANDLED_TTL_SECONDS = 7 * 24 * 3600;
/** Rate-limit windows live two minutes, long enough to outlast their own minute. */
const RATE_WINDOW_TTL_SECONDS = 120;
const HOUR_MS = 3600_000;
/** Hourly counters are kept two days, enough to sum the last 24 hours. */
const HOURLY_TTL_SECONDS = 49 * 3600;

// Moves a chat record's `lastActivityAt` forward (never back: a replayed handling carries
// its first time), and only on a record that exists: an expired chat is not brought back
// as a hash holding nothing but a time and no expiry.
const ACTIVITY_LUA = `
local function touch_activity(chat_key, at)
  if redis.call('EXISTS', chat_key) == 0 then return end
  local last = tonumber(redis.call('HGET', chat_key, 'lastActivityAt') or '0')
  if tonumber(at) > last then redis.call('HSET', chat_key, 'lastActivityAt', at) end
end
`;

// KEYS: 1 chat hash. ARGV: 1 time in ms.
const ACTIVITY_SCRIPT = luaScript(`${ACTIVITY_LUA}
touch_activity(KEYS[1], ARGV[1])
return 1
`);

// Appends one entry to a chat's log, once: a repeated id (a redelivered message, a
// replayed handling) changes nothing and counts nothing. Trims the oldest entries past the
// cap (their bodies, statuses and classifications with them), refreshes the expiry and
// the chat's last activity.
// KEYS: 1 log list, 2 entry hash, 3 status hash, 4 classification hash, 5 totals hash,
//       6 this hour's hash, 7 chat index zset, 8 chat hash
// ARGV: 1 entry id, 2 entry JSON, 3 cap, 4 ttl s, 5 direction, 6 now ms, 7 chat id, 8 hourly ttl s
// Returns 1 when the entry is new, 0 when it was already there.
const APPEND_SCRIPT = luaScript(`${ACTIVITY_LUA}
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

const NUMBER_FIELDS = new Set(['lastActivityAt', 'pausedUntil']);

function decodeChat(raw: Record<string, string>): ChatRecord | undefined {
  if (!raw.chatId) return undefined;
  const chat: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(raw)) chat[key] = NUMBER_FIELDS.has(key) ? Number(value) : value;
  return chat as unknown as ChatRecord;
}

async function exec(multi: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const results = await multi.exec();
  if (!results) throw new Error('redis transaction was aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

export type ChatFields = { [K in keyof ChatRecord]?: ChatRecord[K] };

/**
 * Every piece of conversation state in Redis: one hash per chat (consent, mode, pause,
 * language), its log (a list of ids plus a hash of bodies, capped and expiring), an index
 * of chats by last activity, the paused chats by pause end, counters for /api/stats, the
 * rate-limit windows and the handling records that make redelivery harmless.
 */
export function createConversationStore(options: ConversationStoreOptions) {
  // The connection has no offline queue; the first command of each operation waits a
  // moment for it (just after start, during a reconnect) instead of failing at once.
  const { redis, historyMax } = options;
  const ttlSeconds = options.ttlDays * 24 * 3600;
  const p = options.prefix.endsWith(':') ? options.prefix : `${options.prefix}:`;
  const key = {
    chat: (chatId: string) => `${p}chat:${chatId}`,
    log: (chatId: string) => `${p}log:${chatId}`,
    entries: (chatId: string) => `${p}entries:${chatId}`,
    statuses: (chatId: string) => `${p}status:${chatId}`,
    classifications: (chatId: string) => `${p}class:${chatId}`,
    chats: `${p}chats`,
    paused: `${p}paused`,
    known: `${p}known`,
    totals: `${p}stats`,
    hour: (hour: number) => `${p}stats:${hour}`,
    provider: (providerMessageId: string) => `${p}sent:${providerMessageId}`,
    rate: (chatId: string, minute: number) => `${p}rate:${chatId}:${minute}`,
    rateNotice: (chatId: string, minute: number) => `${p}rate-notice:${chatId}:${minute}`,
    plan: (messageId: string) => `${p}plan:${messageId}`,
    handled: (messageId: string) => `${p}handled:${messageId}`,
  };

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

  /** Deletes a chat's log keys and the channel-id mappings of its sent messages. */
  function deleteLog(multi: ReturnType<Redis['multi']>, chatId: string, bodies: readonly string[]): void {
    for (const body of bodies) {
      const providerId = (JSON.parse(body) as LogEntry).providerMessageId;
      if (providerId) multi.del(key.provider(providerId));
    }
    multi.del(key.log(chatId), key.entries(chatId), key.statuses(chatId), key.classifications(chatId));
  }

  async function getChat(chatId: string): Promise<ChatRecord | undefined> {
    await whenReady(redis);
    return decodeChat(await redis.hgetall(key.chat(chatId)));
  }

  return {
    getChat,

    /** Whether the connection is up: tells "Redis away" from other failures. */
    connected(): boolean {
      return redis.status === 'ready';
    },

    async getChats(chatIds: readonly string[]): Promise<(ChatRecord | undefined)[]> {
      if (chatIds.length === 0) return [];
      const multi = redis.multi();
      for (const chatId of chatIds) multi.hgetall(key.chat(chatId));
      return (await exec(multi)).map((raw) => decodeChat(raw as Record<string, string>));
    },

    /**
     * Writes fields of a chat (and removes others), refreshes its expiry and its place in
     * the index, all in one transaction.
     */
    async updateChat(
      chatId: string,
      fields: ChatFields,
      remove: readonly (keyof ChatRecord)[] = [],
      nowMs?: number,
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
      await exec(multi);
    },

    /** A message went either way at `atMs`: the chat's last activity moves forward to it. */
    async noteActivity(chatId: string, atMs: number): Promise<void> {
      await ACTIVITY_SCRIPT.run(redis, [key.chat(chatId)], [atMs]);
    },

    /** Creates the record's first fields only when the chat is new. */
    async touchChat(chatId: string, createdAt: string): Promise<void> {
      await redis.hsetnx(key.chat(chatId), 'createdAt', createdAt);
    },

    /** Appends an entry once per id; false when it was already logged. */
    async append(chatId: string, entry: LogEntry, nowMs: number): Promise<boolean> {
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
        ],
        [entry.id, JSON.stringify(entry), historyMax, ttlSeconds, entry.direction, nowMs, chatId, HOURLY_TTL_SECONDS],
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
      deleteLog(multi, chatId, await redis.hvals(key.entries(chatId)));
      await exec(multi);
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
      deleteLog(multi, chatId, await redis.hvals(key.entries(chatId)));
      multi.del(key.chat(chatId));
      multi.zrem(key.chats, chatId);
      multi.zrem(key.paused, chatId);
      multi.srem(key.known, chatId);
      const minute = Math.floor(nowMs / 60_000);
      for (const m of [minute - 1, minute]) multi.del(key.rate(chatId, m), key.rateNotice(chatId, m));
      await exec(multi);
      return { existed: exists > 0, messages };
    },

    /**
     * Counts a message in its chat's minute. A set of ids rather than a counter, so that
     * a redelivered message is not counted twice.
     */
    async countInMinute(chatId: string, messageId: string, minute: number): Promise<number> {
      const results = await exec(
        redis
          .multi()
          .sadd(key.rate(chatId, minute), messageId)
          .expire(key.rate(chatId, minute), RATE_WINDOW_TTL_SECONDS)
          .scard(key.rate(chatId, minute)),
      );
      return Number(results[2]);
    },

    /** Whether this message is the one that gets the minute's single rate-limit notice. */
    async claimRateNotice(chatId: string, messageId: string, minute: number): Promise<boolean> {
      const k = key.rateNotice(chatId, minute);
      await redis.set(k, messageId, 'EX', RATE_WINDOW_TTL_SECONDS, 'NX');
      return (await redis.get(k)) === messageId;
    },

    async isHandled(messageId: string): Promise<boolean> {
      await whenReady(redis);
      return (await redis.exists(key.handled(messageId))) === 1;
    },

    /**
     * Stores the decision taken for a message unless one is stored already, and returns
     * the one that counts: a redelivery after a partial failure repeats the same decision
     * even though the chat's state may have moved on since.
     */
    async savePlan<T>(messageId: string, plan: T): Promise<{ plan: T; fresh: boolean }> {
      const stored = await redis.set(key.plan(messageId), JSON.stringify(plan), 'EX', HANDLED_TTL_SECONDS, 'NX');
      if (stored === 'OK') return { plan, fresh: true };
      const existing = await redis.get(key.plan(messageId));
      return existing ? { plan: JSON.parse(existing) as T, fresh: false } : { plan, fresh: true };
    },

    /** Marks a message handled, once every effect of its handling is stored. */
    async markHandled(messageId: string): Promise<void> {
      await exec(redis.multi().set(key.handled(messageId), '1', 'EX', HANDLED_TTL_SECONDS).del(key.plan(messageId)));
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

    async stats(nowMs: number) {
      await whenReady(redis);
      const hourNow = Math.floor(nowMs / HOUR_MS);
      const multi = redis.multi();
      multi.hgetall(key.totals);
      multi.zcard(key.chats);
      multi.scard(key.known);
      multi.zcount(key.chats, nowMs - 24 * HOUR_MS, '+inf');
      multi.zcount(key.paused, `(${nowMs}`, '+inf');
      // The current hour and the 23 before it: the last 24 hours to the hour.
      for (let h = hourNow - 23; h <= hourNow; h++) multi.hgetall(key.hour(h));
      const [totals, chats, known, chats24h, paused, ...hours] = (await exec(multi)) as [
        Record<string, string>,
        number,
        number,
        number,
        number,
        ...Record<string, string>[],
      ];
      const sum = (dir: 'inbound' | 'outbound') => hours.reduce((n, h) => n + Number(h[dir] ?? 0), 0);
      return {
        inbound: Number(totals.inbound ?? 0),
        outbound: Number(totals.outbound ?? 0),
        chats,
        known,
        chats24h,
        paused,
        inbound24h: sum('inbound'),
        outbound24h: sum('outbound'),
      };
    },

    /** Counts chats active since a moment (ms). */
    async chatsActiveSince(sinceMs: number): Promise<number> {
      return redis.zcount(key.chats, sinceMs, '+inf');
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;

/** The delivery state of a logged outbound message, kept beside its body. */
export interface EntryStatus {
  status: DeliveryState;
  statusAt: string;
  error?: { code: number; title?: string };
}
