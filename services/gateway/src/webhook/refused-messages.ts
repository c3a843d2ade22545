import { luaScript, whenReady } from '@helpline/runtime';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A message from a well-signed webhook that could not become an InboundMessage: no id, no
 * identifiable sender, or a normalised message the contract refuses (an id longer than a
 * correlation id may be, a text over the contract's limit). It is kept whole for an
 * operator instead of being dropped, or refused with a 500 that Meta would redeliver for
 * days while the same payload's other messages waited behind it.
 */
export interface RefusedMessageInput {
  /** What was wrong, in one line (field paths and zod's messages, never the values). */
  reason: string;
  /** The message's chat when it could be told (for data-removal requests). */
  chatId?: string;
  /** What Meta sent: the message with its change's contacts, metadata and errors. */
  payload: unknown;
  /** When the webhook received it (ISO 8601). */
  receivedAt: string;
}

export interface RefusedMessage extends RefusedMessageInput {
  /** The Redis stream id: the key of `DELETE /api/webhook/refused/:id`. */
  id: string;
}

export interface RefusedMessageStore {
  /**
   * Keeps a message once: the same message again (Meta redelivering a payload that a
   * Redis failure made us refuse) finds the entry it already has; `fresh` is false then.
   */
  keep(message: RefusedMessageInput): Promise<{ id: string; fresh: boolean }>;
  /** Newest first. */
  list(offset: number, limit: number): Promise<{ total: number; items: RefusedMessage[] }>;
  /** False when no entry has that id. */
  remove(id: string): Promise<boolean>;
  /**
   * Removes every entry of a chat: those whose chat is known to be it, and those whose
   * payload names it as a JSON string (a `from`, a `wa_id`). Returns how many went.
   */
  forgetChat(chatId: string): Promise<number>;
}

/** Entries read per round trip while looking for a chat's. */
const SCAN_BATCH = 200;

// KEYS: 1 stream, 2 fingerprint -> stream id hash. ARGV: 1 fingerprint, 2 record JSON.
// Returns {1, id} when added, {0, id} when that message was already kept.
const KEEP = luaScript(`
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing and #redis.call('XRANGE', KEYS[1], existing, existing) > 0 then return {0, existing} end
local id = redis.call('XADD', KEYS[1], '*', 'fingerprint', ARGV[1], 'record', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], id)
return {1, id}
`);

// KEYS: 1 stream, 2 fingerprint hash. ARGV: 1 stream id. Returns 1 when removed.
const REMOVE = luaScript(`
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then return 0 end
local fields = entries[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'fingerprint' then redis.call('HDEL', KEYS[2], fields[i + 1]) end
end
return redis.call('XDEL', KEYS[1], ARGV[1])
`);

/** A delivery kept unparsed (too deep to parse) names the chat inside its text. */
function rawNames(message: RefusedMessage, named: string): boolean {
  const raw = (message.payload as { raw?: unknown } | null)?.raw;
  return typeof raw === 'string' && raw.includes(named);
}

function decode(id: string, fields: string[]): RefusedMessage | undefined {
  const at = fields.indexOf('record');
  const raw = at >= 0 ? fields[at + 1] : undefined;
  if (raw === undefined) return undefined;
  return { id, ...(JSON.parse(raw) as RefusedMessageInput) };
}

/**
 * One Redis stream (`<prefix>:gateway:webhook:refused`), with a hash of the payloads'
 * fingerprints beside it so that a redelivered message is kept once. Not trimmed: an entry
 * stays until an operator has looked at it and removed it, or the chat is forgotten.
 * Refusals are rare (the payloads are Meta's, signed), so it stays small;
 * `helpline_webhook_events_total{outcome="refused"}` counts every one for alerting.
 */
export function createRefusedMessageStore(redis: Redis, key: string): RefusedMessageStore {
  const keys = [key, `${key}:fingerprints`];
  const remove = async (id: string) => (await REMOVE.run(redis, keys, [id])) === 1;
  return {
    async keep(message) {
      await whenReady(redis);
      const fingerprint = createHash('sha256').update(JSON.stringify(message.payload)).digest('hex');
      const [added, id] = (await KEEP.run(redis, keys, [fingerprint, JSON.stringify(message)])) as [number, string];
      return { id, fresh: added === 1 };
    },
    async list(offset, limit) {
      await whenReady(redis);
      const [total, entries] = await Promise.all([
        redis.xlen(key),
        redis.xrevrange(key, '+', '-', 'COUNT', offset + limit),
      ]);
      const items = entries
        .slice(offset)
        .map(([id, fields]) => decode(id, fields))
        .filter((m): m is RefusedMessage => m !== undefined);
      return { total, items };
    },
    async remove(id) {
      await whenReady(redis);
      return remove(id);
    },
    async forgetChat(chatId) {
      await whenReady(redis);
      const named = JSON.stringify(chatId);
      const doomed: string[] = [];
      let start = '-';
      for (;;) {
        const batch = await redis.xrange(key, start, '+', 'COUNT', SCAN_BATCH);
        for (const [id, fields] of batch) {
          const message = decode(id, fields);
          if (
            message &&
            (message.chatId === chatId || JSON.stringify(message.payload).includes(named) || rawNames(message, named))
          )
            doomed.push(id);
        }
        if (batch.length < SCAN_BATCH) break;
        start = `(${batch.at(-1)?.[0]}`;
      }
      let removed = 0;
      for (const id of doomed) if (await remove(id)) removed += 1;
      return removed;
    },
  };
}
