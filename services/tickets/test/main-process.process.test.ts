import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeZoho, startFakeZoho } from '@helpline/testkit/zoho';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createRedisConnection } from '@helpline/runtime';
import { seedLegacyRedis } from './support/legacy-redis-store.js';
import { API_TOKEN, stopTestPostgres, testDatabaseUrl, uniquePrefix, waitFor, zohoEnv } from './support/index.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let redis: TestRedis;
let zoho: FakeZoho | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await zoho?.close();
  zoho = undefined;
});
afterAll(async () => {
  await redis.stop();
  await stopTestPostgres();
});

function start(env: Record<string, string>): { child: ChildProcess; lines: Record<string, unknown>[] } {
  const child = spawn(process.execPath, ['--conditions=@helpline/source', '--import', 'tsx', main], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      API_TOKEN,
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      ...env,
    },
    // No .env of the developer's is read: the working directory is the test folder.
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ raw: line });
      }
    });
  }
  return { child, lines };
}

async function health(port: number): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

describe('main', () => {
  test('with no Zoho variables it runs on the local store, says so once, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, lines } = start({ TICKETS_PORT: String(port), DATABASE_URL: await testDatabaseUrl() });
    const report = await waitFor(() => health(port), 45_000, 'the service to answer /health');
    expect(report).toMatchObject({
      status: 'degraded',
      checks: { crm: { status: 'degraded' }, worker: { status: 'ok' }, database: { status: 'ok' } },
    });
    const res = await fetch(`http://127.0.0.1:${port}/departments`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(((await res.json()) as { provider: string }).provider).toBe('local');
    expect(lines.filter((l) => String(l.msg ?? '').includes('Zoho Desk not configured'))).toHaveLength(1);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  test('the local store without DATABASE_URL refuses to start, naming it', async () => {
    const { child, lines } = start({ TICKETS_PORT: String(await freePort()) });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(lines.map((l) => String(l.raw ?? '')).join('\n')).toContain(
      'DATABASE_URL: is required for the local ticket store',
    );
  });

  test('tickets the Redis store held are moved to PostgreSQL at start and keep their numbers', async () => {
    const commands = createRedisConnection(redis.url, 'worker');
    // main's own key prefix, where the Redis store kept them.
    await seedLegacyRedis(commands, 'helpline:tickets');
    await commands.quit();
    const port = await freePort();
    const { lines } = start({ TICKETS_PORT: String(port), DATABASE_URL: await testDatabaseUrl() });
    await waitFor(() => health(port), 45_000, 'the service to answer /health');
    const headers = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };
    const status = await fetch(`http://127.0.0.1:${port}/tickets/2/status`, { headers });
    expect(await status.json()).toMatchObject({ id: '2', number: '2', status: 'Closed' });
    const created = await fetch(`http://127.0.0.1:${port}/tickets`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': uniquePrefix() },
      body: JSON.stringify({
        subject: 'Nuevo',
        description: 'tras el cambio',
        priority: 'low',
        phone: '+573001112233',
      }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ state: 'created', ticket: { number: '6' } });
    expect(lines.find((l) => l.msg === 'local tickets moved from Redis to PostgreSQL')).toMatchObject({
      tickets: 4,
      contacts: 3,
    });
  });

  test('CRM_PROVIDER=zoho without its variables refuses to start, naming them', async () => {
    const { child, lines } = start({ CRM_PROVIDER: 'zoho', TICKETS_PORT: String(await freePort()) });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    const text = lines.map((l) => String(l.raw ?? '')).join('\n');
    expect(text).toContain('ZOHO_CLIENT_ID: is required when CRM_PROVIDER=zoho');
  });

  test('with Zoho configured it opens tickets in Zoho Desk', async () => {
    zoho = await startFakeZoho();
    const port = await freePort();
    start({ ...zohoEnv(zoho, redis.url), TICKETS_PORT: String(port), CRM_PROVIDER: 'zoho' });
    await waitFor(() => health(port), 45_000, 'the service to answer /health');
    const res = await fetch(`http://127.0.0.1:${port}/tickets`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_TOKEN}`,
        'content-type': 'application/json',
        'idempotency-key': uniquePrefix(),
      },
      body: JSON.stringify({
        subject: 'Prueba',
        description: 'desde main',
        priority: 'low',
        classification: 'technical',
        phone: '+573001112233',
      }),
    });
    expect(res.status).toBe(201);
    expect(zoho.tickets()).toHaveLength(1);
    expect(zoho.tickets()[0]).toMatchObject({ priority: 'Low', category: 'technical' });
  });
});
