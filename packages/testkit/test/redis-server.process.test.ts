import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, test } from 'vitest';
import { REDIS_MISSING_MESSAGE, startTestRedis, type TestRedis, uniqueQueueName } from '../src/index.js';

/** Whether anything accepts a TCP connection on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** Runs `fn` with an environment variable set (or removed) and puts it back after. */
async function withEnv<T>(name: string, value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const before = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

describe('startTestRedis', () => {
  const started: TestRedis[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((redis) => redis.stop()));
  });

  test('starts a redis-server that answers, and stop() ends it', async () => {
    const redis = await withEnv('REDIS_URL', undefined, () => startTestRedis());
    started.push(redis);
    expect(redis.owned).toBe(true);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    await withClient(redis.url, async (client) => {
      expect(await client.ping()).toBe('PONG');
      // Persistence is off: a test server must never write snapshots.
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    });
    await redis.stop();
    expect(await listening(redis.port)).toBe(false);
  });

  test('uses REDIS_URL when it is set, and its stop() leaves that server alone', async () => {
    const own = await startTestRedis({ spawn: true });
    started.push(own);
    const shared = await withEnv('REDIS_URL', own.url, () => startTestRedis());
    expect(shared).toMatchObject({ url: own.url, port: own.port, owned: false });
    await shared.stop();
    expect(await listening(own.port)).toBe(true);
    await expect(shared.restart()).rejects.toThrow(/spawn: true/);
  });

  test('with AOF on, data survives restart() and kill() on the same port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helpline-aof-'));
    try {
      const redis = await startTestRedis({ spawn: true, appendOnly: true, dir });
      started.push(redis);
      await withClient(redis.url, (client) => client.set('survivor', 'yes'));
      await redis.restart();
      expect(await withClient(redis.url, (client) => client.get('survivor'))).toBe('yes');

      await withClient(redis.url, (client) => client.set('after-crash', 'yes'));
      await redis.kill();
      expect(await listening(redis.port)).toBe(false);
      await redis.restart();
      expect(await withClient(redis.url, (client) => client.get('after-crash'))).toBe('yes');
      await redis.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a chosen port is used as given', async () => {
    const probe = await startTestRedis({ spawn: true });
    const port = probe.port;
    await probe.stop();
    const redis = await startTestRedis({ spawn: true, port });
    started.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(await withClient(redis.url, (client) => client.ping())).toBe('PONG');
  });

  test('without redis-server the error says what to do', async () => {
    const attempt = withEnv('REDIS_SERVER_BIN', '/nonexistent/redis-server', () => startTestRedis({ spawn: true }));
    await expect(attempt).rejects.toThrow(REDIS_MISSING_MESSAGE);
    expect(REDIS_MISSING_MESSAGE).toBe('set REDIS_URL or install redis-server (Debian package `redis-server`)');
  });
});

describe('uniqueQueueName', () => {
  test('gives a new name with the prefix each time', () => {
    const a = uniqueQueueName('tickets-test');
    const b = uniqueQueueName('tickets-test');
    expect(a).toMatch(/^tickets-test-[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  test('refuses a prefix BullMQ would refuse', () => {
    expect(() => uniqueQueueName('bull:x')).toThrow(/':'/);
  });
});
