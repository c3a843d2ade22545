import { createServiceBase, createWorker, QUEUE_PREFIX, serviceKeyPrefix } from '@helpline/runtime';
import { redisTest as test } from '@helpline/testkit/fixtures';
import { describe, expect } from 'vitest';
import { inboundMessage, memoryLogger } from './support/index.js';

const config = (url: string) => ({ REDIS_URL: url, LOG_LEVEL: 'silent' });

describe('createServiceBase', () => {
  test('one key scheme: queues under bull, own keys under helpline:<service>', async ({ redis }) => {
    const base = createServiceBase('example', config(redis.url), { logger: memoryLogger().logger });
    try {
      expect(base.prefix).toBe(QUEUE_PREFIX);
      expect(base.keyPrefix).toBe('helpline:example');
      expect(serviceKeyPrefix('tickets')).toBe('helpline:tickets');
    } finally {
      await base.close();
    }
  });

  test("a test's prefix isolates both the queues and the service's own keys", async ({ redis, prefix }) => {
    const base = createServiceBase('example', config(redis.url), { prefix, logger: memoryLogger().logger });
    try {
      expect(base.keyPrefix).toBe(`${prefix}:example`);
    } finally {
      await base.close();
    }
  });

  test('a connection per role, made once; ready once Redis answers', async ({ redis, prefix }) => {
    const base = createServiceBase('example', config(redis.url), { prefix, logger: memoryLogger().logger });
    try {
      expect(base.redis('producer')).toBe(base.redis('producer'));
      expect(base.redis('worker')).not.toBe(base.redis('producer'));
      expect(await base.ready(5_000)).toBe(true);
      expect(await base.redis('producer').client('GETNAME')).toBe('helpline-example-producer');
    } finally {
      await base.close();
    }
  });

  test('closes workers first, then resources last-added-first, then producers and Redis', async ({ redis, prefix }) => {
    const { logger } = memoryLogger();
    const base = createServiceBase('example', config(redis.url), { prefix, logger });
    const order: string[] = [];
    const producer = base.producer('inbound');
    let jobRunning: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      jobRunning = resolve;
    });
    const worker = createWorker(
      'inbound',
      async () => {
        jobRunning();
        await new Promise((r) => setTimeout(r, 200));
        order.push('job finished');
      },
      { connection: base.redis('worker'), prefix, logger, metrics: base.metrics },
    );
    base.addWorker(worker);
    base.addResource({ name: 'first', close: () => order.push('first') });
    base.addResource({ name: 'second', close: () => order.push('second') });
    expect(base.workers).toEqual([worker]);

    await producer.add(inboundMessage('m1'), { jobId: 'm1' });
    await started;
    await base.close();
    order.push(`redis ${base.redis('queues').status}`);
    expect(order).toEqual(['job finished', 'second', 'first', 'redis end']);
    expect(worker.closing).toBeTruthy();
  });

  test('a failing resource does not stop the rest from closing', async ({ redis, prefix }) => {
    const { logger, lines } = memoryLogger();
    const base = createServiceBase('example', config(redis.url), { prefix, logger });
    const closed: string[] = [];
    base.addResource({ name: 'fine', close: () => closed.push('fine') });
    base.addResource({
      name: 'broken',
      close: () => {
        throw new Error('cannot close');
      },
    });
    base.redis('producer');
    await base.close();
    expect(closed).toEqual(['fine']);
    expect(base.redis('producer').status).toBe('end');
    expect(lines.some((l) => l.resource === 'broken' && l.msg === 'closing a resource failed')).toBe(true);
  });

  test('the clock is the one given', async ({ redis }) => {
    const fixed = new Date('2026-01-02T03:04:05Z');
    const base = createServiceBase('example', config(redis.url), { clock: () => fixed, logger: memoryLogger().logger });
    expect(base.clock()).toBe(fixed);
    await base.close();
  });
});
