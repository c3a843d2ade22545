import type { ResumableAccountKind } from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';

/**
 * What a chat proved and what it was doing, in Redis (so any replica answers the next
 * message): the customer ids whose holder's document number the chat typed, the request
 * waiting for that proof, and the failed tries. Only ids and counters: no document number,
 * no name, no balance is kept here.
 */
export interface IdentityStore {
  provenIds(chatId: string): Promise<string[]>;
  prove(chatId: string, customerIds: readonly string[]): Promise<void>;
  /** The request that asked for the proof, resumed once it is given. */
  setPending(chatId: string, kind: ResumableAccountKind): Promise<void>;
  takePending(chatId: string): Promise<ResumableAccountKind | undefined>;
  /** Counts a failed try once per request (a retried job does not count twice); returns the total. */
  failedTry(chatId: string, correlationId: string): Promise<number>;
  clearTries(chatId: string): Promise<void>;
}

/** The kinds of key the store writes, each `<prefix><family>:<id>`. */
export const IDENTITY_KEY_FAMILIES = ['proof', 'pending', 'tries', 'tried'] as const;

export function createIdentityStore(options: {
  redis: Redis;
  prefix: string;
  proofHours: number;
  /** How long a question waits for its answer. */
  pendingSeconds?: number;
}): IdentityStore {
  const { redis, prefix } = options;
  const pendingSeconds = options.pendingSeconds ?? 3600;
  const key = {
    proof: (chat: string) => `${prefix}proof:${chat}`,
    pending: (chat: string) => `${prefix}pending:${chat}`,
    tries: (chat: string) => `${prefix}tries:${chat}`,
    tried: (correlationId: string) => `${prefix}tried:${correlationId}`,
  };
  return {
    async provenIds(chatId) {
      return redis.smembers(key.proof(chatId));
    },
    async prove(chatId, customerIds) {
      if (customerIds.length === 0) return;
      await redis
        .multi()
        .sadd(key.proof(chatId), ...customerIds)
        .expire(key.proof(chatId), options.proofHours * 3600)
        .del(key.tries(chatId))
        .exec();
    },
    async setPending(chatId, kind) {
      await redis.set(key.pending(chatId), kind, 'EX', pendingSeconds);
    },
    async takePending(chatId) {
      const kind = await redis.getdel(key.pending(chatId));
      return (kind ?? undefined) as ResumableAccountKind | undefined;
    },
    async failedTry(chatId, correlationId) {
      const first = await redis.set(key.tried(correlationId), '1', 'EX', pendingSeconds, 'NX');
      if (first === null) return Number((await redis.get(key.tries(chatId))) ?? '1');
      const [[, count] = []] =
        (await redis.multi().incr(key.tries(chatId)).expire(key.tries(chatId), pendingSeconds).exec()) ?? [];
      return Number(count);
    },
    async clearTries(chatId) {
      await redis.del(key.tries(chatId));
    },
  };
}
