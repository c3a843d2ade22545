import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { append, type Desk, events, startDesk } from './support/desk-harness.js';

// PostgreSQL restarted (and killed) while events keep arriving: the batches that failed are
// read again from the consumer's pending entries; nothing is lost, nothing doubled.

let redis: TestRedis;
let postgres: TestPostgres;
let desk: Desk;

beforeAll(async () => {
  redis = await startTestRedis();
  // A private server: a shared one is not the test's to restart.
  postgres = await startTestPostgres({ spawn: true });
  desk = await startDesk(redis.url, await postgres.createDatabase('desk_restart'));
  desk.context.consumer.start();
});
afterAll(async () => {
  await desk?.close();
  await postgres?.stop();
  await redis?.stop();
});

const TOTAL = 3_000;

test('a restart and a crash of PostgreSQL under traffic lose nothing', { timeout: 180_000 }, async () => {
  let sent = 0;
  const at = Date.UTC(2026, 5, 1);
  const traffic = (async () => {
    while (sent < TOTAL) {
      const batch = Array.from({ length: 50 }, (_, k) =>
        events.received(`5731${(sent + k) % 13}`, `wamid.pg.${sent + k}`, `texto ${sent + k}`, new Date(at + sent + k)),
      );
      await append(desk.context.redis('producer'), desk.context.stream, batch);
      sent += batch.length;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await until(() => sent >= TOTAL / 4);
  await postgres.restart();
  await until(() => sent >= TOTAL / 2);
  await postgres.kill();
  // Down until the consumer has met the outage (a batch failed): traffic goes on meanwhile,
  // so a batch is tried. A fixed pause could fall between two reads and prove nothing.
  await until(async () => (await archiveFailures()) > 0, 60_000);
  await postgres.restart();
  await traffic;
  await until(
    async () => (await count()) >= TOTAL && (await desk.context.redis('producer').xlen(desk.context.stream)) === 0,
  );
  const rows = await desk.context.db.query<{ total: string; ids: string }>(
    `SELECT count(*)::text AS total, count(DISTINCT message_id)::text AS ids FROM messages`,
  );
  expect(rows.rows[0]).toEqual({ total: String(TOTAL), ids: String(TOTAL) });
  // The outage was felt (batches failed and were read again), and recovered from.
  expect(await archiveFailures()).toBeGreaterThan(0);
});

async function archiveFailures(): Promise<number> {
  const failures = await desk.context.metrics.registry.getSingleMetric('helpline_desk_archive_failures_total')?.get();
  return failures?.values[0]?.value ?? 0;
}

async function count(): Promise<number> {
  try {
    const res = await desk.context.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM messages`);
    return Number(res.rows[0]?.n ?? 0);
  } catch {
    return 0;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
