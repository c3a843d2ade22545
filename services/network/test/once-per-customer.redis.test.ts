import { setTimeout as sleep } from 'node:timers/promises';
import type { DiagnosticReport } from '@helpline/contracts';
import { closeRedis, createRedisConnection, type Redis } from '@helpline/runtime';
import { redisTest } from '@helpline/testkit/fixtures';
import { describe, expect } from 'vitest';
import { LastReportStore } from '../src/diagnosis/last-report-store.js';
import { DiagnosisBusyError, oncePerCustomer } from '../src/diagnosis/once-per-customer.js';
import { eventually } from './support/index.js';

/**
 * Each test gets a producer connection to the file's Redis (ready before the test starts:
 * it fails fast instead of queueing), a prefix of its own, and `storeWith` for a last-report
 * store under that prefix.
 */
const it = redisTest.extend<{
  client: Redis;
  storeWith: (cooldownMs: number, claimTtlMs?: number) => LastReportStore;
}>({
  client: async ({ redis }, use) => {
    const client = createRedisConnection(redis.url, 'producer');
    expect(await eventually(() => client.status === 'ready', 5_000)).toBe(true);
    try {
      await use(client);
    } finally {
      await closeRedis(client);
    }
  },
  storeWith: async ({ client, prefix }, use) => {
    await use(
      (cooldownMs, claimTtlMs) =>
        new LastReportStore(client, prefix, cooldownMs, claimTtlMs === undefined ? {} : { claimTtlMs }),
    );
  },
});

function report(correlationId: string): DiagnosticReport {
  const at = new Date().toISOString();
  return {
    correlationId,
    customerId: '7',
    status: 'ok',
    checks: [{ name: 'customer', result: 'pass', finding: 'customer account found' }],
    summary: { es: 'bien', en: 'fine' },
    startedAt: at,
    finishedAt: at,
  };
}

const WAIT = { waitMs: 3_000, pollMs: 20 };

/** Diagnoses customer 7 through the store, counting runs: waits `ms`, then reports or throws. */
function diagnosis(store: LastReportStore, runs: { count: number }, correlationId: string, ms = 0, fail?: string) {
  return oncePerCustomer(
    store,
    '7',
    async () => {
      runs.count++;
      if (ms > 0) await sleep(ms);
      if (fail) throw new Error(fail);
      return report(correlationId);
    },
    WAIT,
  );
}

describe('oncePerCustomer against a real Redis', () => {
  it('a failed diagnosis releases its claim: a request waiting for it runs its own', async ({ storeWith }) => {
    const store = storeWith(60_000, 5_000);
    const runs = { count: 0 };
    const failing = diagnosis(store, runs, 'first', 100, 'router exploded');
    await sleep(20);
    const waiting = diagnosis(store, runs, 'second');
    await expect(failing).rejects.toThrow('router exploded');
    // released at once, not after the 5 s TTL
    const started = Date.now();
    expect(await waiting).toMatchObject({ report: { correlationId: 'second' }, fromCache: false });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(runs.count).toBe(2);
    expect(await store.claimed('7')).toBe(false);
  });

  it('waits a bounded time for a claim held elsewhere, then says busy', async ({ storeWith }) => {
    const store = storeWith(60_000, 10_000);
    const held = await store.claim('7');
    expect(held).toBeDefined();
    let ran = false;
    const attempt = oncePerCustomer(
      store,
      '7',
      async () => {
        ran = true;
        return report('never');
      },
      { waitMs: 200, pollMs: 20 },
    );
    await expect(attempt).rejects.toBeInstanceOf(DiagnosisBusyError);
    expect(ran).toBe(false);
    if (held) await store.release(held);
  });

  it('renews the claim while a diagnosis outlives its TTL, so a second request still waits for it', async ({
    storeWith,
  }) => {
    const store = storeWith(60_000, 150);
    const runs = { count: 0 };
    const slow = diagnosis(store, runs, 'slow', 700);
    await sleep(400); // well past the TTL without renewal
    expect(await store.claimed('7')).toBe(true);
    const second = diagnosis(store, runs, 'second');
    const made = await slow;
    expect(made).toMatchObject({ report: { correlationId: 'slow' }, fromCache: false });
    expect(await second).toEqual({ report: made.report, fromCache: true });
    expect(runs.count).toBe(1);
  });

  it('a claim is only released by its owner', async ({ storeWith }) => {
    const store = storeWith(60_000, 100);
    const first = await store.claim('7');
    await sleep(250); // expired (no renewal once stopped)
    first?.stop();
    await sleep(150);
    const second = await store.claim('7');
    expect(second).toBeDefined();
    if (first) await store.release(first);
    expect(await store.claimed('7')).toBe(true);
    if (second) await store.release(second);
    expect(await store.claimed('7')).toBe(false);
  });

  it('with the cooldown off (0 minutes) nothing is kept and every request runs', async ({
    storeWith,
    client,
    prefix,
  }) => {
    const store = storeWith(0);
    const runs = { count: 0 };
    await Promise.all([diagnosis(store, runs, 'r1'), diagnosis(store, runs, 'r2')]);
    expect(runs.count).toBe(2);
    expect(await client.keys(`${prefix}:*`)).toEqual([]);
  });
});
