import { CONVERSATION_STREAM_FIELD, type ConversationEvent, conversationStreamKey } from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';

/**
 * Where the gateway appends the conversation's facts for the desk: one Redis Stream,
 * capped by length with `MAXLEN ~` (whole radix-tree nodes trimmed, so the cap costs
 * almost nothing). The cap is a last guard against a desk that is gone for good, not a
 * retention policy: the stream's length and the desk group's lag are exported and alerted
 * on well before it (`helpline_conversation_stream_*`).
 *
 * Nothing here sends a command of its own on the reply path: each event rides in the
 * Lua script or MULTI that already records its fact, so the fact and its event are
 * written together or not at all.
 */
export interface ConversationEventStream {
  readonly key: string;
  readonly maxLen: number;
  /** The event as a script argument (its JSON); '' for none. */
  encode(event: ConversationEvent | undefined): string;
  /** Queues the event's XADD on a MULTI that records its fact. */
  addTo(multi: ReturnType<Redis['multi']>, event: ConversationEvent): void;
  /** An XADD of its own, for the facts that have no write to ride with (an erasure's mark). */
  append(redis: Redis, event: ConversationEvent): Promise<void>;
}

/**
 * The XADD a Lua script runs: KEYS[stream], ARGV[json], ARGV[maxlen]. Scripts embed it and
 * call `append_event(key, json, maxlen)`; an empty json appends nothing.
 */
export const APPEND_EVENT_LUA = `
local function append_event(stream_key, json, maxlen)
  if json == '' then return end
  redis.call('XADD', stream_key, 'MAXLEN', '~', maxlen, '*', '${CONVERSATION_STREAM_FIELD}', json)
end
`;

export function createConversationEventStream(prefix: string, maxLen: number): ConversationEventStream {
  const key = conversationStreamKey(prefix);
  const args = (event: ConversationEvent) =>
    [key, 'MAXLEN', '~', maxLen, '*', CONVERSATION_STREAM_FIELD, JSON.stringify(event)] as const;
  return {
    key,
    maxLen,
    encode: (event) => (event ? JSON.stringify(event) : ''),
    addTo(multi, event) {
      multi.xadd(...args(event));
    },
    async append(redis, event) {
      await redis.xadd(...args(event));
    },
  };
}
