import { randomUUID } from 'node:crypto';
import { test as base } from 'vitest';
import { startTestRedis, type TestRedis } from './redis-server.js';

/**
 * Vitest fixtures shared by every workspace's Redis tests, instead of a copied
 * `beforeAll(startTestRedis)` / `afterAll(stop)` pair per file:
 * - `redis`: one private redis-server per test file (started on first use, stopped after
 *   the file's last test);
 * - `prefix`: a BullMQ/key prefix of its own for each test, so tests never see each
 *   other's jobs or keys.
 */
export const redisTest = base.extend<{ prefix: string; redis: TestRedis }>({
  redis: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
    async ({}, use) => {
      const redis = await startTestRedis();
      try {
        await use(redis);
      } finally {
        await redis.stop();
      }
    },
    { scope: 'file' },
  ],
  // biome-ignore lint/correctness/noEmptyPattern: as above
  prefix: async ({}, use) => {
    await use(`test-${randomUUID()}`);
  },
});
