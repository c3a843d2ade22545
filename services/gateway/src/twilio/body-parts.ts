import type { Redis } from 'ioredis';
import { whenReady } from '@helpline/runtime';

/** How long the parts already sent of a job are remembered (as long as the send guard's marks). */
const TTL_SECONDS = 7 * 24 * 3600;

/**
 * The parts of a long text already taken by Twilio, per outbound job: a retry after a part
 * failed sends only the parts that did not go.
 */
export interface BodyParts {
  /** The SIDs of the parts sent so far, in order. */
  sent(jobId: string): Promise<string[]>;
  record(jobId: string, index: number, sid: string): Promise<void>;
}

export function createBodyParts(redis: Redis, keyPrefix: string): BodyParts {
  const key = (jobId: string) => `${keyPrefix}:parts:${jobId}`;
  return {
    async sent(jobId) {
      await whenReady(redis);
      return redis.lrange(key(jobId), 0, -1);
    },
    async record(jobId, index, sid) {
      await whenReady(redis);
      // LSET would fail on a missing index; the parts go in order, so the list's length is the index.
      const length = await redis.llen(key(jobId));
      if (length !== index) return;
      await redis.multi().rpush(key(jobId), sid).expire(key(jobId), TTL_SECONDS).exec();
    },
  };
}
