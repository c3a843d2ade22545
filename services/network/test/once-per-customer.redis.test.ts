import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DiagnosticReport } from '@helpline/contracts';
import { createRedisConnection, type Redis } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LastReportStore } from '../src/diagnosis/last-report-store.js';
import { DiagnosisBusyError, oncePerCustomer } from '../src/diagnosis/once-per-customer.js';
import { eventually } from './support/index.js';

let server: TestRedis;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedisConnection(server.url, 'producer');
  // the producer connection fails fast instead of queueing: wait until it is up
  expect(await eventually(() => redis.status === 'ready', 5_000)).toBe(true);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});
beforeEach(() => {
  prefix = `test-${randomUUID()}`;
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

describe('oncePerCustomer against a real Redis', () => {
  it('a failed diagnosis releases its claim: a request waiting for it runs its own', async () => {
    const store = new LastReportStore(redis, prefix, 60_000, { claimTtlMs: 5_000 });
    let runs = 0;
    const failing = oncePerCustomer(
      store,
      '7',
      async () => {
        runs++;
        await sleep(100);
        throw new Error('router exploded');
      },
      WAIT,
    );
    await sleep(20);
    const waiting = oncePerCustomer(
      store,
      '7',
      async () => {
        runs++;
        return report('second');
      },
      WAIT,
    );
    await expect(failing).rejects.toThrow('router exploded');
    // released at once, not after the 5 s TTL
    const started = Date.now();
    expect(await waiting).toMatchObject({ report: { correlationId: 'second' }, fromCache: false });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(runs).toBe(2);
    expect(await store.claimed('7')).toBe(false);
  });

  it('waits a bounded time for a claim held elsewhere, then says busy', async () => {
    const store = new LastReportStore(redis, prefix, 60_000, { claimTtlMs: 10_000 });
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

  it('renews the claim while a diagnosis outlives its TTL, so a second request still waits for it', async () => {
    const store = new LastReportStore(redis, prefix, 60_000, { claimTtlMs: 150 });
    let runs = 0;
    const slow = oncePerCustomer(
      store,
      '7',
      async () => {
        runs++;
        await sleep(700);
        return report('slow');
      },
      WAIT,
    );
    await sleep(400); // well past the TTL without renewal
    expect(await store.claimed('7')).toBe(true);
    const second = oncePerCustomer(
      store,
      '7',
      async () => {
        runs++;
        return report('second');
      },
      WAIT,
    );
    const made = await slow;
    expect(made).toMatchObject({ report: { correlationId: 'slow' }, fromCache: false });
    expect(await second).toEqual({ report: made.report, fromCache: true });
    expect(runs).toBe(1);
  });

  it('a claim is only released by its owner', async () => {
    const store = new LastReportStore(redis, prefix, 60_000, { claimTtlMs: 100 });
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

  it('with the cooldown off (0 minutes) nothing is kept and every request runs', async () => {
    const store = new LastReportStore(redis, prefix, 0);
    let runs = 0;
    const run = async () => {
      runs++;
      return report(`r${runs}`);
    };
    await Promise.all([oncePerCustomer(store, '7', run, WAIT), oncePerCustomer(store, '7', run, WAIT)]);
    expect(runs).toBe(2);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});
