import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * `worker`: blocking commands that must survive reconnects (BullMQ requires
 * maxRetriesPerRequest null). `producer`: used while an HTTP request waits, so a command
 * fails at once when Redis is away instead of queueing in memory; the caller answers 503
 * and the sender (Meta, an operator) tries again. Nothing is acknowledged that is not stored.
 */
export type RedisRole = 'worker' | 'producer';

export function createRedisConnection(url: string, role: RedisRole, overrides: RedisOptions = {}): Redis {
  const common: RedisOptions = {
    connectionName: `helpline-${role}`,
    connectTimeout: 5_000,
    // Reconnect forever with a capped exponential delay; the process must ride out outages.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 2_000),
  };
  const byRole: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false };
  const redis = new Redis(url, { ...common, ...byRole, ...overrides });
  // An ioredis client with no error listener prints every reconnect failure as unhandled;
  // the health check reports Redis state, so connection errors are expected noise here.
  redis.on('error', () => {});
  return redis;
}

/** Whether Redis answers within the deadline: for health checks. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
      }),
    ]);
    return answer === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
