import { once } from 'node:events';
import { InboundMessage, jobIds, OutboundMessage } from '@helpline/contracts';
import { createProducer } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import type { Job } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createBurstGate } from '../src/burst/burst-gate.js';
import { createInboundWorker } from '../src/worker/inbound-worker.js';
import { type ClassifierContext, createContext } from '../src/context.js';
import { configFor, inbound, memoryLogger, uniquePrefix, waitFor } from './support/index.js';

let redis: TestRedis;
const open: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
afterAll(async () => {
  await redis.stop();
});

async function classifier(windowMs: number): Promise<ClassifierContext> {
  const context = createContext(configFor(undefined, { REDIS_URL: redis.url, BURST_WINDOW_MS: String(windowMs) }, []), {
    prefix: uniquePrefix(),
    logger: memoryLogger().logger,
  });
  open.push(context);
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  return context;
}

let seq = 0;
function said(text: string, over: Record<string, unknown> = {}) {
  seq += 1;
  const now = new Date();
  return InboundMessage.parse(
    inbound({
      id: `wamid.burst.${seq}.${now.getTime()}`,
      text,
      sentAt: new Date(now.getTime() - 1000 + seq).toISOString(),
      receivedAt: now.toISOString(),
      ...over,
    }),
  );
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function replies(context: ClassifierContext) {
  const jobs = await context.producers.outbound.queue.getJobs(['waiting', 'delayed', 'completed']);
  return jobs.map((j) => ({ id: j.id, message: OutboundMessage.parse(j.data) }));
}

describe('bursts', () => {
  test('"hola" / "no tengo internet" / "desde ayer" within the window: one answer, to one text, in order', async () => {
    const context = await classifier(400);
    const first = said('hola');
    const started = performance.now();
    const leading = context.processInbound(first, undefined, context.logger);
    await sleep(50);
    const second = said('no tengo internet');
    expect(await context.processInbound(second, undefined, context.logger)).toEqual({
      burst: 'joined',
      leader: first.id,
    });
    await sleep(50);
    const third = said('desde ayer');
    expect(await context.processInbound(third, undefined, context.logger)).toMatchObject({ burst: 'joined' });
    const result = await leading;
    const waited = performance.now() - started;
    expect(result).toMatchObject({ burst: [first.id, second.id, third.id], routing: { action: 'diagnostics' } });
    // It waited for the window; the bound on the wait itself is checked with a clock below.
    expect(waited).toBeGreaterThanOrEqual(350);
    const sent = await replies(context);
    expect(sent.map((s) => s.id)).toEqual([jobIds.outbound(first.correlationId, 'ack')]);
    const diagnosis = (await context.producers.diagnostics.queue.getJobs(['waiting']))[0];
    expect((diagnosis?.data as { reportedText?: string } | undefined)?.reportedText).toBe(
      'hola\nno tengo internet\ndesde ayer',
    );
  });

  test('the leader waits exactly until its arrival plus the window, never longer', async () => {
    const context = await classifier(0);
    let clock = 1_000_000;
    const waits: number[] = [];
    const gate = createBurstGate({
      redis: context.redis('producer'),
      prefix: uniquePrefix(),
      windowMs: 400,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    // Arrived at the gateway 150 ms before the classifier took it: 250 ms left of its window.
    const first = said('hola', { receivedAt: new Date(clock - 150).toISOString() });
    expect(await gate.gather(first)).toEqual({ role: 'leader', messages: [first] });
    expect(waits).toEqual([250]);
    // A gateway clock 5 s ahead of this one: still no more than the window.
    const skewed = said('hola', { receivedAt: new Date(clock + 5_000).toISOString(), chatId: '573001110000' });
    await gate.gather(skewed);
    expect(waits).toEqual([250, 400]);
  });

  test('a message after the window closed is answered on its own', async () => {
    const context = await classifier(150);
    const first = said('hola');
    const leading = context.processInbound(first, undefined, context.logger);
    await leading;
    const late = said('¿hasta qué hora atienden?');
    expect(await context.processInbound(late, undefined, context.logger)).toMatchObject({ routing: {} });
    expect((await replies(context)).map((s) => s.id).sort()).toEqual(
      [jobIds.outbound(first.correlationId, 'ack'), jobIds.outbound(late.correlationId, 'ack')].sort(),
    );
  });

  test('a message that reaches the classifier after its window (a backlog) does not wait at all', async () => {
    const context = await classifier(0);
    const waits: number[] = [];
    const gate = createBurstGate({
      redis: context.redis('producer'),
      prefix: uniquePrefix(),
      windowMs: 500,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const old = said('no tengo internet', { receivedAt: new Date(Date.now() - 2_000).toISOString() });
    expect(await gate.gather(old)).toMatchObject({ role: 'leader' });
    expect(waits).toEqual([]);
  });

  test('other chats and other senders are separate bursts; a follower retried after joining counts once', async () => {
    const context = await classifier(300);
    const first = said('hola');
    const leading = context.processInbound(first, undefined, context.logger);
    await sleep(30);
    const other = said('hola', { chatId: '573009999999', from: '573009999999', senderPhone: '573009999999' });
    const otherLeading = context.processInbound(other, undefined, context.logger);
    const follower = said('se cayó el internet');
    await context.processInbound(follower, undefined, context.logger);
    await context.processInbound(follower, undefined, context.logger);
    expect(await leading).toMatchObject({ burst: [first.id, follower.id] });
    expect(await otherLeading).not.toHaveProperty('burst');
  });

  test('a retried leader answers the same burst from what it saved on its job, without gathering again', async () => {
    const context = await classifier(200);
    // A job as far as the processor uses it: the progress it saves and reads back.
    const saved: { progress: unknown } = { progress: {} };
    const job = {
      get progress() {
        return saved.progress;
      },
      async updateProgress(progress: unknown) {
        saved.progress = progress;
      },
    } as unknown as Job;
    const first = said('hola');
    const leading = context.processInbound(first, job, context.logger);
    await sleep(30);
    const second = said('no tengo internet');
    await context.processInbound(second, undefined, context.logger);
    expect(await leading).toMatchObject({ reused: false, burst: [first.id, second.id] });
    const retried = await context.processInbound(first, job, context.logger);
    expect(retried).toMatchObject({ reused: true, burst: [first.id, second.id], routing: { action: 'diagnostics' } });
    const diagnosis = (await context.producers.diagnostics.queue.getJobs(['waiting']))[0];
    expect((diagnosis?.data as { reportedText?: string } | undefined)?.reportedText).toBe('hola\nno tengo internet');
  });

  test('waiting leaders hold no worker slot: a worker of one slot keeps three bursts open at once', async () => {
    const context = await classifier(1_500);
    // One slot: were each leader to sleep in it, the second burst could not open before the
    // first closed.
    const worker = createInboundWorker({
      connection: context.redis('worker'),
      prefix: context.prefix,
      logger: context.logger,
      metrics: context.metrics,
      process: context.processInbound,
      concurrency: 1,
    });
    open.push(worker);
    const inboundQueue = createProducer('inbound', { connection: context.redis('producer'), prefix: context.prefix });
    open.push(inboundQueue);
    const chats = ['573001110001', '573001110002', '573001110003'];
    const firsts = chats.map((chatId) => said('hola', { chatId, from: chatId }));
    for (const message of firsts) await inboundQueue.add(message, { jobId: jobIds.inbound(message.id) });
    await waitFor(
      async () => (await inboundQueue.queue.getDelayedCount()) === 3 || undefined,
      5_000,
      'three leaders waiting at once',
    );
    const follower = said('no tengo internet', { chatId: chats[0], from: chats[0] });
    await inboundQueue.add(follower, { jobId: jobIds.inbound(follower.id) });
    await waitFor(async () => (await replies(context)).length === 3 || undefined, 10_000, 'the three answers');
    const leader = await inboundQueue.queue.getJob(jobIds.inbound(firsts[0]?.id ?? ''));
    expect(leader?.returnvalue).toMatchObject({ burst: [firsts[0]?.id, follower.id] });
    expect(leader?.attemptsMade).toBe(1);
    const joined = await inboundQueue.queue.getJob(jobIds.inbound(follower.id));
    expect(joined?.returnvalue).toEqual({ burst: 'joined', leader: firsts[0]?.id });
    expect((await replies(context)).map((r) => r.message.to).sort()).toEqual([...chats].sort());
  }, 15_000);

  test('with the window at 0, every message is answered alone at once', async () => {
    const context = await classifier(0);
    const a = said('hola');
    const b = said('no tengo internet');
    await Promise.all([a, b].map((m) => context.processInbound(m, undefined, context.logger)));
    expect((await replies(context)).length).toBe(2);
  });
});
