import { whenReady, withDeadline } from '@helpline/runtime';
import type { Redis } from 'ioredis';

export interface LastSendError {
  at: string;
  /** Graph error code, `network`, or `http_<status>`. */
  code: string;
  message: string;
}

/** The last Cloud API send error, kept in Redis so /api/status shows it from any replica. */
export interface SendErrorLog {
  record(error: LastSendError): Promise<void>;
  /** Rejects within the read deadline when Redis does not answer. */
  last(): Promise<LastSendError | undefined>;
}

export interface SendErrorLogConnections {
  /** Records during a send: a connection that waits out a Redis blip (the worker's). */
  write: Redis;
  /** Reads for an operator's request: a connection that fails fast while Redis is away. */
  read: Redis;
}

/** A status request must answer promptly, Redis or not. */
const READ_DEADLINE_MS = 1_000;

export function createSendErrorLog(
  redis: SendErrorLogConnections,
  key: string,
  readDeadlineMs = READ_DEADLINE_MS,
): SendErrorLog {
  return {
    async record(error) {
      await redis.write.set(key, JSON.stringify(error), 'EX', 7 * 24 * 3600);
    },
    async last() {
      // The deadline covers a connection that is up but stalled (Redis paused, a network
      // partition not yet noticed); a closed one fails at once (no offline queue).
      // A connection still connecting (just after start) gets the same deadline to be ready.
      const raw = await withDeadline(
        whenReady(redis.read, readDeadlineMs).then(() => redis.read.get(key)),
        readDeadlineMs,
        'reading the last send error',
      );
      return raw ? (JSON.parse(raw) as LastSendError) : undefined;
    },
  };
}
