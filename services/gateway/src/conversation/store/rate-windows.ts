import type { ConversationKeys, Multi } from './store-keys.js';

/** Rate-limit windows live two minutes, long enough to outlast their own minute. */
export const RATE_WINDOW_TTL_SECONDS = 120;

// A chat's messages per minute and the minute's single rate-limit notice, as a Lua function
// the message gate embeds (store/message-gate.ts). A set of ids rather than a counter, so
// that a redelivered message is not counted twice; the notice goes to the first message
// over the limit that claims it. Returns the message's count and 1 when it holds the notice.
export const RATE_WINDOW_LUA = `
local function count_in_minute(rate_key, notice_key, message_id, limit, ttl)
  redis.call('SADD', rate_key, message_id)
  redis.call('EXPIRE', rate_key, ttl)
  local count = redis.call('SCARD', rate_key)
  if count <= tonumber(limit) then return count, 0 end
  redis.call('SET', notice_key, message_id, 'EX', ttl, 'NX')
  if redis.call('GET', notice_key) == message_id then return count, 1 end
  return count, 0
end
`;

/** Queues the deletion of a chat's live windows (this minute and the one before) on a MULTI. */
export function deleteRateWindows(multi: Multi, key: ConversationKeys, chatId: string, nowMs: number): void {
  const minute = Math.floor(nowMs / 60_000);
  for (const m of [minute - 1, minute]) multi.del(key.rate(chatId, m), key.rateNotice(chatId, m));
}
