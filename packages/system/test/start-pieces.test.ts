import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadOrCreateLocalSettings, readLocalSettings } from '../src/local-settings.js';
import { formatLogLine } from '../src/log-line.js';
import { answersPing, REDIS_MISSING, resolveRedis } from '../src/redis-resolver.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('finding Redis for a one-command start', () => {
  test('REDIS_URL wins when set', async () => {
    const redis = await resolveRedis({ REDIS_URL: 'redis://example:6380' }, tmpdir(), { host: '127.0.0.1', port: 1 });
    expect(redis).toMatchObject({ url: 'redis://example:6380', source: 'REDIS_URL' });
  });

  test('with nothing at the address, redis-server from PATH is started with its data under the data folder, and stopped', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-start-'));
    const redis = await resolveRedis({}, dataDir, { host: '127.0.0.1', port });
    try {
      expect(redis).toMatchObject({ url: `redis://127.0.0.1:${port}`, source: 'started redis-server' });
      expect(await answersPing('127.0.0.1', port)).toBe(true);
      expect(statSync(join(dataDir, 'redis')).isDirectory()).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(await answersPing('127.0.0.1', port)).toBe(false);
  });

  test('something answering at the address is used as it is', async () => {
    const port = await freePort();
    const first = await resolveRedis({}, mkdtempSync(join(tmpdir(), 'helpline-start-')), { host: '127.0.0.1', port });
    try {
      const second = await resolveRedis({}, tmpdir(), { host: '127.0.0.1', port });
      expect(second.source).toBe('default address');
      await second.stop();
      expect(await answersPing('127.0.0.1', port)).toBe(true);
    } finally {
      await first.stop();
    }
  });

  test('with no Redis anywhere the error says what to install or set', async () => {
    const port = await freePort();
    const error = await resolveRedis({ REDIS_SERVER_BIN: '/nonexistent/redis-server' }, tmpdir(), { host: '127.0.0.1', port }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toBe(REDIS_MISSING);
    expect(REDIS_MISSING).toContain('REDIS_URL');
    expect(REDIS_MISSING).toContain('apt-get install redis-server');
  });
});

describe('local settings', () => {
  test('are created once with secrets of their own, readable by the owner only, and reused', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-local-'));
    const first = loadOrCreateLocalSettings(dataDir, 3001);
    expect(first.apiToken).toMatch(/^[0-9a-f]{48}$/);
    expect(first.appSecret).not.toBe(first.apiToken);
    expect(first.gatewayUrl).toBe('http://127.0.0.1:3001');
    const file = join(dataDir, 'local.json');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(loadOrCreateLocalSettings(dataDir, 3001)).toEqual(first);
    expect(readLocalSettings(dataDir)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  test('reading them before any start says to start first', () => {
    expect(() => readLocalSettings(mkdtempSync(join(tmpdir(), 'helpline-none-')))).toThrow(/npm start/);
  });
});

describe('log lines in the terminal', () => {
  test('pino JSON becomes one short line; other text passes through', () => {
    const line = JSON.stringify({ level: 40, time: '2026-01-01', pid: 1, hostname: 'h', name: 'x', msg: 'router not configured', correlationId: 'wamid.1', err: { message: 'x' } });
    expect(formatLogLine('network', line)).toBe('[network] warn router not configured correlationId=wamid.1');
    expect(formatLogLine('gateway', 'plain text')).toBe('[gateway] plain text');
  });
});
