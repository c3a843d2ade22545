// The Lua scripts of a chat's log, each one round trip: the append (alone, with a sent
// message's mapping and classification, or with the history read back) and a status update.
import { luaScript } from '@helpline/runtime';
import { APPEND_EVENT_LUA } from '../../events/conversation-event-stream.js';
import { ACTIVITY_LUA } from './chat-record-store.js';

/** Hourly counters are kept two days, enough to sum the last 24 hours. */
export const HOURLY_TTL_SECONDS = 49 * 3600;

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

export const APPEND_SCRIPT = luaScript(`${APPEND_LUA}
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
export const SENT_SCRIPT = luaScript(`${APPEND_LUA}
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
export const APPEND_RECALL_SCRIPT = luaScript(`${APPEND_LUA}${RECENT_LUA}
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
export const STATUS_SCRIPT = luaScript(`
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
