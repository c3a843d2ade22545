import { type Redis, whenReady } from '@helpline/runtime';
import { type ConversationKeys, exec } from './store-keys.js';

/** How long a handled message's id is remembered: Meta redelivers for up to seven days. */
const HANDLED_TTL_SECONDS = 7 * 24 * 3600;

/**
 * What makes a redelivery harmless: the decision taken for a message (kept until its
 * handling is complete) and the mark that it was handled.
 */
export function createHandlingRecords(options: { redis: Redis; key: ConversationKeys }) {
  const { redis, key } = options;
  return {
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
  };
}
