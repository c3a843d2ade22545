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
  last(): Promise<LastSendError | undefined>;
}

export function createSendErrorLog(redis: Redis, key: string): SendErrorLog {
  return {
    async record(error) {
      await redis.set(key, JSON.stringify(error), 'EX', 7 * 24 * 3600);
    },
    async last() {
      const raw = await redis.get(key);
      return raw ? (JSON.parse(raw) as LastSendError) : undefined;
    },
  };
}
