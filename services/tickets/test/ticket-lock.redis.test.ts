import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisConnection, type Redis } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTicketRecords } from '../src/tickets/ticket-records.js';
import { uniquePrefix } from './support/index.js';

let redis: TestRedis;
let connection: Redis;

beforeAll(async () => {
  redis = await startTestRedis();
  connection = createRedisConnection(redis.url, 'worker');
});
afterAll(async () => {
  await connection.quit();
  await redis.stop();
});

/** A ticket key's lock as the records give it, and the Redis key it lives under. */
function lockFor(keyPrefix: string) {
  const records = createTicketRecords({ redis: connection, keyPrefix });
  return {
    key: `${keyPrefix}:ticket:lock:k1`,
    take: (ttlMs: number, options?: Parameters<typeof records.lock>[2]) => records.lock('k1', ttlMs, options),
  };
}

describe("a ticket key's kept lock", () => {
  test('is renewed while held, so it outlives its TTL; nobody else takes it; release frees it', async () => {
    const { key, take } = lockFor(uniquePrefix());
    const lock = await take(300);
    expect(lock).toBeDefined();
    await sleep(1_000);
    expect(lock!.isHeld()).toBe(true);
    expect(await connection.pttl(key)).toBeGreaterThan(0);
    expect(await take(300)).toBeUndefined();
    await lock!.release();
    expect(await connection.exists(key)).toBe(0);
    const next = await take(200);
    expect(next).toBeDefined();
    await next!.release();
  });

  test('stops renewing once another holder has it, says so once, and never extends or deletes their lock', async () => {
    const { key, take } = lockFor(uniquePrefix());
    const reasons: string[] = [];
    const lock = await take(300, {
      renewEveryMs: 50,
      onLost: (reason) => reasons.push(reason),
    });
    // Our lock expired unnoticed (a stalled process) and another attempt took the key.
    await connection.set(key, 'someone-else', 'PX', 400);
    await sleep(200);
    expect(lock!.isHeld()).toBe(false);
    expect(reasons).toEqual(['the lease expired or another holder took it']);
    // Their TTL runs down untouched by our heartbeat.
    expect(await connection.pttl(key)).toBeLessThanOrEqual(250);
    await lock!.release();
    expect(await connection.get(key)).toBe('someone-else');
  });
});
