import {
  closeRedis,
  compareAndDelete,
  compareAndExtend,
  createRedisConnection,
  keepLease,
  luaScript,
  migrateKeyPrefix,
  type Redis,
  tryAcquireLease,
} from '@helpline/runtime';
import { startTestRedis } from '@helpline/testkit';
import { redisTest as test } from '@helpline/testkit/fixtures';
import { describe, expect, onTestFinished } from 'vitest';

function connect(url: string): Redis {
  const redis = createRedisConnection(url, 'worker');
  onTestFinished(() => closeRedis(redis));
  return redis;
}

describe('cached scripts', () => {
  test('a script runs by EVALSHA, and is loaded again after SCRIPT FLUSH (NOSCRIPT)', async ({ redis, prefix }) => {
    const client = connect(redis.url);
    const script = luaScript(`return redis.call('incr', KEYS[1])`);
    expect(await script.run(client, [`${prefix}:n`], [])).toBe(1);
    await client.script('FLUSH');
    expect(await script.run(client, [`${prefix}:n`], [])).toBe(2);
    // The run after the flush loaded it again (EVAL caches it): EVALSHA finds it from now on.
    expect(await client.script('EXISTS', script.sha)).toEqual([1]);
  });

  test('an error other than NOSCRIPT reaches the caller', async ({ redis, prefix }) => {
    const client = connect(redis.url);
    await client.set(`${prefix}:s`, 'text');
    const script = luaScript(`return redis.call('incr', KEYS[1])`);
    await expect(script.run(client, [`${prefix}:s`], [])).rejects.toThrow(/not an integer/);
  });
});

describe('lease', () => {
  test('only one holder takes it; only the holder releases or extends it', async ({ redis, prefix }) => {
    const client = connect(redis.url);
    const key = `${prefix}:lease`;
    const first = await tryAcquireLease(client, key, 10_000);
    expect(first).toBeDefined();
    expect(await tryAcquireLease(client, key, 10_000)).toBeUndefined();
    expect(await compareAndDelete(client, key, 'someone-else')).toBe(false);
    expect(await compareAndExtend(client, key, 'someone-else', 60_000)).toBe(false);
    expect(await client.pttl(key)).toBeLessThanOrEqual(10_000);
    expect(await first?.extend(60_000)).toBe(true);
    expect(await client.pttl(key)).toBeGreaterThan(10_000);
    expect(await first?.release()).toBe(true);
    expect(await client.exists(key)).toBe(0);
    expect(await first?.release()).toBe(false);
  });

  test('an expired holder cannot end the next holder', async ({ redis, prefix }) => {
    const client = connect(redis.url);
    const key = `${prefix}:lease`;
    const old = await tryAcquireLease(client, key, 30);
    await new Promise((r) => setTimeout(r, 60));
    const next = await tryAcquireLease(client, key, 10_000);
    expect(next).toBeDefined();
    expect(await old?.release()).toBe(false);
    expect(await old?.extend()).toBe(false);
    expect(await client.get(key)).toBe(next?.token);
  });

  test('a kept lease is renewed past its TTL, and reports the loss when another takes it', async ({
    redis,
    prefix,
  }) => {
    const client = connect(redis.url);
    const key = `${prefix}:kept`;
    const lease = await tryAcquireLease(client, key, 150);
    if (!lease) throw new Error('lease not taken');
    const lost: string[] = [];
    const kept = keepLease(lease, { ttlMs: 150, renewEveryMs: 40, onLost: (why) => lost.push(why) });
    await new Promise((r) => setTimeout(r, 400));
    expect(kept.isHeld()).toBe(true);
    expect(await client.get(key)).toBe(lease.token);
    await client.set(key, 'intruder');
    await new Promise((r) => setTimeout(r, 120));
    expect(kept.isHeld()).toBe(false);
    expect(lost).toEqual(['the lease expired or another holder took it']);
    expect(await kept.release()).toBe(false);
    expect(await client.get(key)).toBe('intruder');
  });
});

describe('closing a connection', () => {
  test('quits a ready connection, and ends one whose Redis is gone without hanging', async () => {
    const own = await startTestRedis({ spawn: true });
    const ready = createRedisConnection(own.url, 'worker');
    await ready.ping();
    await closeRedis(ready);
    expect(ready.status).toBe('end');

    const orphan = createRedisConnection(own.url, 'worker');
    await orphan.ping();
    await own.stop();
    const started = performance.now();
    await closeRedis(orphan, 500);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(orphan.status).not.toBe('ready');
  });
});

describe('key prefix migration', () => {
  test("an older release's keys move under the new prefix with their values and TTLs", async ({ redis, prefix }) => {
    const client = connect(redis.url);
    const from = `${prefix}:bull:gateway`;
    const to = `${prefix}:helpline:gateway`;
    await client.set(`${from}:conv:chat:1`, 'old-a', 'PX', 600_000);
    await client.hset(`${from}:delivery:m1`, { status: 'sent' });
    await client.set(`${from}:taken`, 'old');
    await client.set(`${to}:taken`, 'new');
    await client.set(`${prefix}:bull:gatewayish:x`, 'not ours');

    const result = await migrateKeyPrefix(client, from, to);
    expect(result).toEqual({ found: 3, moved: 2, kept: 1 });
    expect(await client.get(`${to}:conv:chat:1`)).toBe('old-a');
    expect(await client.pttl(`${to}:conv:chat:1`)).toBeGreaterThan(500_000);
    expect(await client.hgetall(`${to}:delivery:m1`)).toEqual({ status: 'sent' });
    expect(await client.get(`${to}:taken`)).toBe('new');
    expect(await client.get(`${prefix}:bull:gatewayish:x`)).toBe('not ours');
    expect(await migrateKeyPrefix(client, from, to)).toEqual({ found: 1, moved: 0, kept: 1 });
  });
});
