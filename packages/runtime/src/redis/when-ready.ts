import type { Redis } from 'ioredis';

/**
 * Waits (at most `timeoutMs`) for a connection to be ready. The producer connection has no
 * offline queue, so a command issued while it is still connecting — just after start, or
 * during a reconnect — would fail at once; a short wait separates "connecting" from "down".
 */
export async function whenReady(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready within ${timeoutMs} ms (connection ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
