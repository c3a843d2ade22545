import { luaScript, whenReady } from '@helpline/runtime';
import type { Redis } from 'ioredis';

/** WhatsApp's customer service window: free-form messages only within 24 h of the customer's last one. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

// KEYS[1] window key; ARGV[1] the message's time in ms, ARGV[2] its expiry (ms since epoch).
// Keeps the latest time only: Meta may deliver an older message after a newer one.
const TOUCH = luaScript(`
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = tonumber(ARGV[1])
if at > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
end
return 1`);

export interface ConversationWindow {
  /** Records a customer message sent at `at`. */
  touch(chatId: string, at: Date): Promise<void>;
  /** Whether a free-form message to the chat is allowed at `now`. */
  isOpen(chatId: string, now: Date): Promise<boolean>;
  /** Drops the chat's window (a data-removal request); true when there was one. */
  forget(chatId: string): Promise<boolean>;
  /** When the customer last wrote (ms since epoch), within the last 24 hours; undefined otherwise. */
  lastMessageAt?(chatId: string): Promise<number | undefined>;
}

/**
 * The 24-hour window per chat, kept in Redis so every replica agrees. The key expires when
 * the window closes, so a chat silent for a day costs nothing.
 */
export function createConversationWindow(redis: Redis, keyPrefix: string): ConversationWindow {
  const key = (chatId: string) => `${keyPrefix}:window:${chatId}`;
  return {
    async touch(chatId, at) {
      const ms = at.getTime();
      await whenReady(redis);
      await TOUCH.run(redis, [key(chatId)], [ms, ms + WINDOW_MS]);
    },
    async isOpen(chatId, now) {
      await whenReady(redis);
      const last = await redis.get(key(chatId));
      return last !== null && now.getTime() - Number(last) < WINDOW_MS;
    },
    async lastMessageAt(chatId) {
      await whenReady(redis);
      const last = await redis.get(key(chatId));
      return last === null ? undefined : Number(last);
    },
    async forget(chatId) {
      await whenReady(redis);
      return (await redis.del(key(chatId))) > 0;
    },
  };
}
