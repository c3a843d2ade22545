import { createLogger } from '@helpline/runtime';
import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { applyRetention } from '../src/retention/retention.js';
import { startRetention } from '../src/retention/retention-scheduler.js';
import { append, type Desk, events, startDesk } from './support/desk-harness.js';

let redis: TestRedis;
let postgres: TestPostgres;
let desk: Desk;
const logger = createLogger({ name: 'retention-test', level: 'silent' });

beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
  desk = await startDesk(redis.url, await postgres.createDatabase('desk_retention'));
});
afterAll(async () => {
  await desk?.close();
  await postgres?.stop();
  await redis?.stop();
});

const now = new Date('2026-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600_000);
const count = async (sql: string) =>
  Number((await desk.context.db.query<{ n: string }>(`SELECT (${sql})::text AS n`)).rows[0]?.n);

test('messages older than the retention go, with their statuses and emptied chats; consent evidence stays', async () => {
  await append(desk.context.redis('producer'), desk.context.stream, [
    events.consent('57301', 'wamid.c', 'given', daysAgo(400)),
    events.received('57301', 'wamid.old', 'viejo', daysAgo(400)),
    events.sent('57301', 'wamid.old', 'ack', 'respuesta vieja', daysAgo(400), { providerMessageId: 'p.old' }),
    events.status('57301', 'p.old', 'read', daysAgo(400)),
    events.received('57302', 'wamid.mixed.old', 'viejo', daysAgo(200)),
    events.received('57302', 'wamid.mixed.new', 'nuevo', daysAgo(2)),
  ]);
  await desk.context.consumer.drain();
  const report = await applyRetention(desk.context.db, 90, now, logger);
  expect(report).toEqual({ messages: 3, statuses: 1, chats: 1 });
  expect(await count('SELECT count(*) FROM messages')).toBe(1);
  expect(await count(`SELECT count(*) FROM chats WHERE chat_id = '57301'`)).toBe(0);
  expect(await count(`SELECT count(*) FROM chats WHERE chat_id = '57302'`)).toBe(1);
  expect(await count('SELECT count(*) FROM consent_records')).toBe(1);
  // Run again: nothing left to delete.
  expect(await applyRetention(desk.context.db, 90, now, logger)).toEqual({ messages: 0, statuses: 0, chats: 0 });
});

test('the daily schedule exists while a retention is set, and goes when it is not', async () => {
  const options = {
    db: desk.context.db,
    connection: desk.context.redis('producer'),
    workerConnection: desk.context.redis('worker'),
    prefix: desk.context.prefix,
    logger,
    clock: () => now,
  };
  const on = await startRetention({ ...options, days: 30 });
  const schedulers = await on.queue.getJobSchedulers();
  expect(schedulers).toHaveLength(1);
  expect(schedulers[0]).toMatchObject({ key: 'archive-retention', every: 24 * 3600_000 });
  await on.close();
  const off = await startRetention({ ...options, days: 0 });
  expect(await off.queue.getJobSchedulers()).toHaveLength(0);
  await off.close();
});
