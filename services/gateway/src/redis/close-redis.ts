import type { Redis } from 'ioredis';

/**
 * Closes a connection: QUIT when Redis is there (pending replies arrive first), else a
 * plain disconnect. QUIT on a connection that is reconnecting to a Redis that is not
 * coming back would wait forever and hold up shutdown.
 */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('QUIT timed out')), timeoutMs);
      }),
    ]);
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
