import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CONVERSATION_STREAM_FIELD, conversationStreamKey } from '@helpline/contracts';
import { freePort, startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { API_TOKEN, events } from './support/desk-harness.js';

// The desk as the process it is in production, SIGKILLed twice while it archives: every
// message of the stream ends in the archive exactly once, counted by message id.

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TOTAL = 6_000;

let redis: TestRedis;
let postgres: TestPostgres;
let databaseUrl: string;
let client: pg.Client;
let writer: Redis;
let port: number;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
  databaseUrl = await postgres.createDatabase('desk_crash');
  client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  writer = new Redis(redis.url);
  port = await freePort();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  writer?.disconnect();
  await client?.end();
  await postgres?.stop();
  await redis?.stop();
});

function startDesk(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@helpline/source', '--import', 'tsx', main], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      DESK_PORT: String(port),
      HOST: '127.0.0.1',
      API_TOKEN,
      ARCHIVE_BATCH_SIZE: '200',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function archived(): Promise<number> {
  try {
    const res = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM desk.messages');
    return Number(res.rows[0]?.n ?? 0);
  } catch {
    return 0; // the schema is not migrated yet
  }
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

test('SIGKILL mid-batch, twice: 0 lost, 0 duplicated', { timeout: 180_000 }, async () => {
  const stream = conversationStreamKey('bull');
  await writer.del(stream);
  const at = Date.UTC(2026, 4, 1);
  for (let start = 0; start < TOTAL; start += 500) {
    const multi = writer.multi();
    for (let i = start; i < Math.min(TOTAL, start + 500); i++) {
      const event = events.received(`57300${i % 97}`, `wamid.crash.${i}`, `mensaje ${i}`, new Date(at + i * 1000));
      multi.xadd(stream, '*', CONVERSATION_STREAM_FIELD, JSON.stringify(event));
    }
    await multi.exec();
  }

  const kills: number[] = [];
  let desk = startDesk();
  await until(async () => (await archived()) > 0);
  await kill(desk);
  kills.push(await archived());
  desk = startDesk();
  await until(async () => (await archived()) > TOTAL / 2);
  await kill(desk);
  kills.push(await archived());
  desk = startDesk();
  await until(async () => (await archived()) >= TOTAL && (await writer.xlen(stream)) === 0, 120_000);

  // Killed while work was left: the kills fell inside the run, not after it.
  expect(kills[0]).toBeLessThan(TOTAL);
  expect(kills[1]).toBeLessThan(TOTAL);
  const counts = await client.query<{ total: string; distinct_ids: string; expected: string; events: string }>(
    `SELECT count(*)::text AS total, count(DISTINCT message_id)::text AS distinct_ids,
            count(*) FILTER (WHERE message_id LIKE 'wamid.crash.%')::text AS expected,
            (SELECT count(*) FROM desk.archived_events)::text AS events
       FROM desk.messages`,
  );
  expect(counts.rows[0]).toEqual({
    total: String(TOTAL),
    distinct_ids: String(TOTAL),
    expected: String(TOTAL),
    events: String(TOTAL),
  });
  const pending = (await writer.xpending(stream, 'desk-archive')) as [number];
  expect(pending[0]).toBe(0);
  console.info(JSON.stringify({ total: TOTAL, archivedAtKills: kills, lost: 0, duplicated: 0 }));
  await kill(desk);
});
