import type { Redis } from 'ioredis';

/**
 * The one way to close a connection: QUIT when Redis is there (pending replies arrive
 * first), bounded by `timeoutMs`, else (or then) a plain disconnect. A bare QUIT on a
 * connection that is reconnecting to a Redis that is not coming back would wait forever and
 * hold up shutdown. Resolves once the connection has ended (or `timeoutMs` more passed).
 */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'end') return;
  const ended = new Promise<void>((resolve) => redis.once('end', resolve));
  if (redis.status === 'ready') {
    try {
      await bounded(redis.quit(), timeoutMs);
    } catch {
      redis.disconnect();
    }
  } else {
    redis.disconnect();
  }
  if ((redis.status as string) !== 'end') await bounded(ended, timeoutMs).catch(() => {});
}

async function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
