import { type InboundMessage, jobIds } from '@helpline/contracts';
import {
  createMetrics,
  createProducer,
  createRedisConnection,
  createWorker,
  deferJob,
  PayloadValidationError,
  PermanentError,
  QueueUnavailableError,
  type Redis,
} from '@helpline/runtime';
import { monitorRedis, startTestRedis } from '@helpline/testkit';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { inboundMessage, memoryLogger, metricValue, uniquePrefix, waitFor } from './support/index.js';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const open: { close(): Promise<unknown> }[] = [];
const track = <T extends { close(): Promise<unknown> }>(x: T): T => {
  open.push(x);
  return x;
};
const connection = (role: 'worker' | 'producer'): Redis => {
  const c = createRedisConnection(redis.url, role);
  open.push({ close: () => c.quit() });
  return c;
};

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close().catch(() => {});
});
afterAll(async () => {
  await redis.stop();
});

describe('producer and worker', () => {
  test('a produced job reaches a worker with its typed, parsed payload', async () => {
    const prefix = uniquePrefix();
    const metrics = createMetrics('test');
    const producer = track(createProducer('inbound', { connection: connection('producer'), prefix }));
    const received: InboundMessage[] = [];
    track(
      createWorker(
        'inbound',
        async (payload, { logger }) => {
          received.push(payload);
          logger.info('handled');
          return { ok: true };
        },
        { connection: connection('worker'), prefix, logger: memoryLogger().logger, metrics },
      ),
    );
    const result = await producer.add(inboundMessage('wamid.1'), { jobId: jobIds.inbound('wamid.1') });
    expect(result).toEqual({ jobId: 'wamid.1' });
    await waitFor(() => received.length === 1 || undefined, 10_000, 'the job');
    expect(received[0]?.text).toBe('no tengo internet');
    // Defaults from the contract are applied on the way in.
    expect(received[0]?.history).toEqual([]);
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'helpline_jobs_total', { queue: 'inbound', outcome: 'completed' })).toBe(1);
    expect(metricValue(text, 'helpline_job_duration_seconds_count', { queue: 'inbound', outcome: 'completed' })).toBe(
      1,
    );
  });

  test('the producer refuses an invalid payload and nothing reaches Redis', async () => {
    const prefix = uniquePrefix();
    const producer = track(createProducer('inbound', { connection: connection('producer'), prefix }));
    const bad = { ...inboundMessage('wamid.bad'), channel: 'sms' } as unknown as Parameters<typeof producer.add>[0];
    const error = await producer.add(bad, { jobId: 'wamid.bad' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect((error as Error).message).toContain('channel');
    expect(await producer.queue.getJob('wamid.bad')).toBeUndefined();
    expect(await producer.queue.count()).toBe(0);
  });

  test('an invalid payload written by hand fails at once, unrecoverably, with the reason kept', async () => {
    const prefix = uniquePrefix();
    const metrics = createMetrics('test');
    const raw = track(new Queue('inbound', { connection: connection('producer'), prefix }));
    let calls = 0;
    const worker = track(
      createWorker(
        'inbound',
        async () => {
          calls++;
        },
        { connection: connection('worker'), prefix, logger: memoryLogger().logger, metrics },
      ),
    );
    const failed = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await raw.add('inbound', { id: 'x', text: 42 }, { jobId: 'by-hand', attempts: 5 });
    await failed;
    const job = await raw.getJob('by-hand');
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('invalid inbound payload');
    expect(job?.failedReason).toContain('text');
    expect(calls).toBe(0);
    expect(
      metricValue(await metrics.registry.metrics(), 'helpline_jobs_total', { queue: 'inbound', outcome: 'invalid' }),
    ).toBe(1);
  });

  test('the same job id enqueued twice yields one job', async () => {
    const prefix = uniquePrefix();
    const producer = track(createProducer('inbound', { connection: connection('producer'), prefix }));
    const first = await producer.add(inboundMessage('wamid.dup'), { jobId: 'wamid.dup', reportDuplicate: true });
    const second = await producer.add(inboundMessage('wamid.dup', 'otro texto'), {
      jobId: 'wamid.dup',
      reportDuplicate: true,
    });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(await producer.queue.count()).toBe(1);
    expect((await producer.queue.getJob('wamid.dup'))?.data).toMatchObject({ text: 'no tengo internet' });
  });

  test('an add sends only its script; one that reports duplicates adds an EXISTS, not a job read', async () => {
    const prefix = uniquePrefix();
    const producerConnection = connection('producer');
    const producer = track(createProducer('inbound', { connection: producerConnection, prefix }));
    // Connected and the add's script loaded before Redis is watched.
    await producer.add(inboundMessage('wamid.cmd0'), { jobId: 'wamid.cmd0' });
    const source = `${producerConnection.stream.localAddress}:${producerConnection.stream.localPort}`;
    const seen: string[] = [];
    const monitor = await monitorRedis(redis.url, ({ args, source: from }) => {
      if (from === source) seen.push(String(args[0]).toLowerCase());
    });
    open.push({ close: async () => monitor.stop() });
    const plain = await producer.add(inboundMessage('wamid.cmd1'), { jobId: 'wamid.cmd1' });
    const reported = await producer.add(inboundMessage('wamid.cmd1'), { jobId: 'wamid.cmd1', reportDuplicate: true });
    const fresh = await producer.add(inboundMessage('wamid.cmd2'), { jobId: 'wamid.cmd2', reportDuplicate: true });
    await waitFor(() => seen.length >= 5 || undefined, 5_000, 'the commands');
    expect(plain).toEqual({ jobId: 'wamid.cmd1' });
    expect(reported).toEqual({ jobId: 'wamid.cmd1', duplicate: true });
    expect(fresh).toEqual({ jobId: 'wamid.cmd2', duplicate: false });
    // EXISTS is sent ahead of the add on the same connection: Redis runs it first, and its
    // answer comes back with the add's, in the same round trip.
    expect(seen).toEqual(['evalsha', 'exists', 'evalsha', 'exists', 'evalsha']);
    expect(await producer.queue.count()).toBe(3);
  });

  test('a deferred job gives its slot back, runs again at its time with its progress, and fails nothing', async () => {
    const prefix = uniquePrefix();
    const metrics = createMetrics('test');
    const producer = track(createProducer('inbound', { connection: connection('producer'), prefix }));
    const runs: { id: string; at: number; progress: unknown }[] = [];
    let deferredUntil = 0;
    track(
      createWorker(
        'inbound',
        async (payload, { job, token }) => {
          runs.push({ id: payload.id, at: Date.now(), progress: job.progress });
          if (payload.id === 'wamid.waits' && !job.progress) {
            await job.updateProgress({ waited: true });
            if (!token) throw new Error('no lock token');
            deferredUntil = Date.now() + 600;
            return deferJob(job, token, deferredUntil);
          }
          return { ok: true };
        },
        // One slot: the second job can only run while the first is deferred.
        { connection: connection('worker'), prefix, logger: memoryLogger().logger, metrics, concurrency: 1 },
      ),
    );
    await producer.add(inboundMessage('wamid.waits'), { jobId: 'wamid.waits' });
    await waitFor(() => runs.length === 1 || undefined, 10_000, 'the first run');
    await producer.add(inboundMessage('wamid.next'), { jobId: 'wamid.next' });
    await waitFor(() => runs.length === 3 || undefined, 10_000, 'the deferred job again');
    expect(runs.map((r) => r.id)).toEqual(['wamid.waits', 'wamid.next', 'wamid.waits']);
    expect(runs[1]?.at).toBeLessThan(deferredUntil);
    expect(runs[2]?.at).toBeGreaterThanOrEqual(deferredUntil);
    expect(runs[2]?.progress).toEqual({ waited: true });
    const job = await producer.queue.getJob('wamid.waits');
    await waitFor(async () => (await job?.getState()) === 'completed' || undefined, 5_000, 'completed');
    expect((await producer.queue.getJob('wamid.waits'))?.attemptsMade).toBe(1);
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'helpline_jobs_total', { queue: 'inbound', outcome: 'deferred' })).toBe(1);
    expect(metricValue(text, 'helpline_jobs_total', { queue: 'inbound', outcome: 'completed' })).toBe(2);
    expect(metricValue(text, 'helpline_jobs_total', { queue: 'inbound', outcome: 'retrying' })).toBeUndefined();
  });

  test('a transient error is retried with backoff; a PermanentError fails at once', async () => {
    const prefix = uniquePrefix();
    const metrics = createMetrics('test');
    const producer = track(
      createProducer('inbound', {
        connection: connection('producer'),
        prefix,
        defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 50, jitter: 0.5 } },
      }),
    );
    const attempts = new Map<string, number>();
    const worker = track(
      createWorker(
        'inbound',
        async (payload, { attempt }) => {
          attempts.set(payload.id, attempt);
          if (payload.text === 'permanent') throw new PermanentError('bad_request', 'the CRM refused it');
          if (attempt < 3) throw new Error('flaky');
          return 'done';
        },
        { connection: connection('worker'), prefix, logger: memoryLogger().logger, metrics },
      ),
    );
    const settled = new Map<string, string>();
    worker.on('completed', (job) => settled.set(job.id ?? '', 'completed'));
    worker.on('failed', (job) => {
      if (job && (job.attemptsMade >= 3 || job.failedReason.startsWith('bad_request')))
        settled.set(job.id ?? '', 'failed');
    });
    await producer.add(inboundMessage('flaky'), { jobId: 'flaky' });
    await producer.add(inboundMessage('perm', 'permanent'), { jobId: 'perm' });
    await waitFor(() => settled.size === 2 || undefined, 15_000, 'both jobs to settle');
    expect(settled.get('flaky')).toBe('completed');
    expect(attempts.get('flaky')).toBe(3);
    expect(settled.get('perm')).toBe('failed');
    expect(attempts.get('perm')).toBe(1);
    const perm = await producer.queue.getJob('perm');
    expect(perm?.failedReason).toBe('bad_request: the CRM refused it');
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'helpline_jobs_total', { queue: 'inbound', outcome: 'retrying' })).toBe(2);
    expect(metricValue(text, 'helpline_jobs_total', { queue: 'inbound', outcome: 'failed' })).toBe(1);
  });

  test('with Redis unreachable the producer says so quickly instead of hanging', async () => {
    const prefix = uniquePrefix();
    const dead = createRedisConnection('redis://127.0.0.1:1', 'producer', { retryStrategy: () => null });
    const producer = createProducer('inbound', { connection: dead, prefix, addTimeoutMs: 500 });
    const started = Date.now();
    const error = await producer.add(inboundMessage('wamid.down'), { jobId: 'wamid.down' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueUnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);
    await producer.close().catch(() => {});
    dead.disconnect();
  });
});
