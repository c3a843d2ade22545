import { luaScript, type Redis, whenReady } from '@helpline/runtime';
import type { ChatRecord } from '../chat-records.js';
import { ACTIVITY_LUA, decodeChat } from './chat-record-store.js';
import { RATE_WINDOW_LUA, RATE_WINDOW_TTL_SECONDS } from './rate-windows.js';
import type { ConversationKeys } from './store-keys.js';

/** How long a handled message's id is remembered: Meta redelivers for up to seven days. */
const HANDLED_TTL_SECONDS = 7 * 24 * 3600;

// The gate: what the decision on a message needs, read and counted in one round trip
// (before, five). Nothing more for a message already handled; else the chat record, the
// message counted in its chat's minute (and whether it holds the minute's one notice),
// and the decision stored by an earlier delivery that did not finish, if any.
// KEYS: 1 handled mark, 2 stored decision, 3 chat hash, 4 the minute's ids, 5 the minute's notice
// ARGV: 1 message id, 2 rate limit, 3 rate window ttl s
// Returns {1} when handled, else {0, chat as field/value pairs, count, holds notice, decision or ''}.
const GATE = luaScript(`${RATE_WINDOW_LUA}
if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
local chat = redis.call('HGETALL', KEYS[3])
local count, holds = count_in_minute(KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3])
return {0, chat, count, holds, redis.call('GET', KEYS[2]) or ''}
`);

// The decision stored once (SET NX, unless replaying one already stored), then the message
// noted on its chat: the record created if new (createdAt), its language and the channel it
// came on, its expiry, its place in the index, and its last activity moved forward (never back).
// KEYS: 1 stored decision, 2 chat hash, 3 chat index
// ARGV: 1 decision JSON, 2 'new' or 'replay', 3 decision ttl s, 4 decided at (ISO),
//       5 decided at (ms), 6 language, 7 chat id, 8 chat ttl s, 9 channel
// Returns '' when noted, or the decision another delivery stored first (nothing written):
// the caller replays that one instead.
const RECORD = luaScript(`${ACTIVITY_LUA}
if ARGV[2] == 'new' and not redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3], 'NX') then
  return redis.call('GET', KEYS[1])
end
redis.call('HSETNX', KEYS[2], 'createdAt', ARGV[4])
redis.call('HSET', KEYS[2], 'chatId', ARGV[7], 'language', ARGV[6], 'channel', ARGV[9])
redis.call('EXPIRE', KEYS[2], ARGV[8])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[7])
touch_activity(KEYS[2], ARGV[5])
return ''
`);

// KEYS: 1 handled mark, 2 stored decision. ARGV: 1 ttl s.
const HANDLED = luaScript(`
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`);

/** What a stored decision must say for the chat to be noted: when it was taken, in which language. */
export interface NotedPlan {
  /** ISO time. */
  at: string;
  language: string;
}

export type GateAnswer<P> =
  | { handled: true }
  | {
      handled: false;
      chat: ChatRecord | undefined;
      /** This message's place in its chat's minute (1 = first). */
      countInMinute: number;
      /** Whether it holds the minute's one rate-limit notice (only ever true over the limit). */
      holdsRateNotice: boolean;
      /** The decision an earlier delivery stored and did not finish acting on. */
      storedPlan?: P;
    };

/**
 * What makes redelivery harmless, in three scripts: the gate in front of the decision, the
 * decision stored once with the chat noted, and the mark that the message was handled. The
 * decision itself is taken in between (decide.ts), from what the gate read.
 */
export function createMessageGate(options: { redis: Redis; key: ConversationKeys; chatTtlSeconds: number }) {
  const { redis, key, chatTtlSeconds } = options;

  async function record(
    chatId: string,
    messageId: string,
    plan: NotedPlan,
    channel: NonNullable<ChatRecord['channel']>,
    mode: 'new' | 'replay',
  ) {
    const json = JSON.stringify(plan);
    return (await RECORD.run(
      redis,
      [key.plan(messageId), key.chat(chatId), key.chats],
      [json, mode, HANDLED_TTL_SECONDS, plan.at, Date.parse(plan.at), plan.language, chatId, chatTtlSeconds, channel],
    )) as string | null;
  }

  return {
    async openGate<P extends NotedPlan>(input: {
      chatId: string;
      messageId: string;
      minute: number;
      rateLimit: number;
    }): Promise<GateAnswer<P>> {
      // The connection has no offline queue: the first command waits a moment for it.
      await whenReady(redis);
      const { chatId, messageId, minute } = input;
      const answer = (await GATE.run(
        redis,
        [
          key.handled(messageId),
          key.plan(messageId),
          key.chat(chatId),
          key.rate(chatId, minute),
          key.rateNotice(chatId, minute),
        ],
        [messageId, input.rateLimit, RATE_WINDOW_TTL_SECONDS],
      )) as [1] | [0, string[], number, number, string];
      if (answer[0] === 1) return { handled: true };
      const [, pairs, count, holds, stored] = answer;
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) fields[pairs[i] as string] = pairs[i + 1] as string;
      return {
        handled: false,
        chat: decodeChat(fields),
        countInMinute: Number(count),
        holdsRateNotice: holds === 1,
        ...(stored ? { storedPlan: JSON.parse(stored) as P } : {}),
      };
    },

    /**
     * Stores the decision taken for a message unless one is stored already, and notes the
     * message on its chat with the decision that counts: a redelivery after a partial
     * failure repeats the same decision even though the chat's state may have moved on since.
     */
    async savePlan<P extends NotedPlan>(
      chatId: string,
      messageId: string,
      plan: P,
      channel: NonNullable<ChatRecord['channel']>,
    ): Promise<{ plan: P; fresh: boolean }> {
      const stored = await record(chatId, messageId, plan, channel, 'new');
      if (!stored) return { plan, fresh: true };
      const first = JSON.parse(stored) as P;
      await record(chatId, messageId, first, channel, 'replay');
      return { plan: first, fresh: false };
    },

    /** A decision the gate found stored: the message noted on its chat again, with that decision's time. */
    async replayPlan(
      chatId: string,
      messageId: string,
      plan: NotedPlan,
      channel: NonNullable<ChatRecord['channel']>,
    ): Promise<void> {
      await record(chatId, messageId, plan, channel, 'replay');
    },

    /** Marks a message handled, once every effect of its handling is stored. */
    async markHandled(messageId: string): Promise<void> {
      await HANDLED.run(redis, [key.handled(messageId), key.plan(messageId)], [HANDLED_TTL_SECONDS]);
    },
  };
}
