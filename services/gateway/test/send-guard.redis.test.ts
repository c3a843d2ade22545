import { jobIds } from '@helpline/contracts';
import { createRedisConnection, type Redis } from '@helpline/runtime';
import { metricValue, startTestRedis, type TestRedis, uniqueQueueName, waitFor } from '@helpline/testkit';
import type { FakeGraphApi } from '@helpline/testkit/meta-graph';
import { type Job, QueueEvents } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import type { OutboundObserver } from '../src/outbound/channel-sender.js';
import { createOutboundWorker, deliverOutbound, type OutboundJobResult } from '../src/outbound/outbound-worker.js';
import { createSendGuard } from '../src/outbound/send-guard.js';
import { startWorkers, type WorkerTuning } from '../src/workers.js';
import { buildApp } from '../src/app.js';
import { callbackDataFor } from '../src/cloud/graph-message-body.js';
import { cloudConfig, outbound, startGraph } from './support/cloud-harness.js';
import { APP_SECRET, type TestContextOverrides, testContext } from './support/harness.js';
import { messagesChange, signedWebhook } from './support/meta-webhooks.js';

/** A signed status webhook, as Meta posts it for a message the business sent. */
const signedStatus = (status: Record<string, unknown>) => signedWebhook(messagesChange({ statuses: [status] }));

let redis: TestRedis;
let graph: FakeGraphApi;
let client: Redis;
const contexts: GatewayContext[] = [];
const events: QueueEvents[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  graph = await startGraph();
  client = createRedisConnection(redis.url, 'worker');
});
afterEach(async () => {
  graph.reset();
  await Promise.all(events.splice(0).map((e) => e.close()));
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await client.quit();
  await graph.close();
  await redis.stop();
});

const TO = '5491155550000';

/** A gateway replica with its outbound worker; replicas given the same prefix share queues and keys. */
async function replica(
  prefix: string,
  tuning: WorkerTuning = {},
  overrides: TestContextOverrides = {},
): Promise<GatewayContext> {
  const context = testContext(redis.url, cloudConfig(graph), {
    prefix,
    sendGuardOptions: { busyRetryMs: 200 },
    ...overrides,
  });
  contexts.push(context);
  startWorkers(context, tuning);
  await context.conversationWindow.touch(TO, new Date());
  return context;
}

async function queueEvents(prefix: string): Promise<QueueEvents> {
  const e = new QueueEvents('outbound', { connection: { url: redis.url }, prefix });
  events.push(e);
  await e.waitUntilReady();
  return e;
}

/** Resolves with the return value of the job's next completion. */
function nextCompletion(qe: QueueEvents, jobId: string): Promise<OutboundJobResult> {
  return new Promise((resolve) => {
    const listener = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }) => {
      if (id !== jobId) return;
      qe.off('completed', listener);
      resolve((typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as OutboundJobResult);
    };
    qe.on('completed', listener);
  });
}

const guardKey = (prefix: string, jobId: string) => `${prefix}:gateway:outbound:send:${jobId}`;

async function duplicatesAvoided(context: GatewayContext): Promise<number | undefined> {
  return metricValue(await context.metrics.registry.metrics(), 'helpline_outbound_duplicates_avoided_total', {
    channel: 'cloud',
  });
}

describe('send guard: at most one send per outbound job', () => {
  it('a job re-run after a successful send does not call the Graph API again', async () => {
    const prefix = uniqueQueueName('gw');
    const context = await replica(prefix);
    const qe = await queueEvents(prefix);
    const message = outbound({ content: { kind: 'text', body: 'Tu ticket es T-9' }, purpose: 'ticket' });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    const first = nextCompletion(qe, jobId);
    await context.producers.outbound.add(message, { jobId });
    const sent = await first;
    expect(sent.messageId).toMatch(/^wamid\./);
    expect(graph.messageRequests()).toHaveLength(1);

    // Run the completed job again, as a stalled-job recovery or an operator's retry would.
    const job = (await context.producers.outbound.queue.getJob(jobId)) as Job;
    const second = nextCompletion(qe, jobId);
    await job.retry('completed');
    expect(await second).toEqual({ messageId: sent.messageId, duplicate: true });
    expect(graph.messageRequests()).toHaveLength(1);
    expect(await duplicatesAvoided(context)).toBe(1);
    // The observers kept what the one send recorded.
    expect(await context.deliveryStore.get(sent.messageId as string)).toMatchObject({
      correlationId: 'wamid.IN1',
      purpose: 'ticket',
    });
  });

  it('two runs of the same job at once (a job judged stalled while its first run still sends) send it once', async () => {
    const prefix = uniqueQueueName('gw');
    // Two replicas that check for stalled jobs often, as after a Redis restart.
    const tuning = { stalledInterval: 100, lockDuration: 10_000 };
    const a = await replica(prefix, tuning);
    const b = await replica(prefix, tuning);
    const qe = await queueEvents(prefix);
    // Meta answers slowly: the first run is in the HTTP call when its lock disappears.
    graph.addFault({ delayMs: 1_500, times: 1 });
    const message = outbound({
      correlationId: 'wamid.STALL',
      content: { kind: 'text', body: 'Diagnóstico listo' },
      purpose: 'diagnosis',
    });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    const done = nextCompletion(qe, jobId);
    await a.producers.outbound.add(message, { jobId });
    await waitFor(() => graph.messageRequests().length === 1, 5_000, 'the first send to reach the fake');
    // What a Redis restart does to a job whose lock was not yet persisted: the lock is gone,
    // the stalled checker puts the job back, and another run starts while the first is going.
    await client.del(`${prefix}:outbound:${jobId}:lock`);
    const job = (await a.producers.outbound.queue.getJob(jobId)) as Job;
    await waitFor(async () => (await job.getState()) === 'delayed', 5_000, 'the second run to find the claim and wait');
    expect(graph.messageRequests()[0]?.outcome).toBe(0); // the first send is still in flight

    const result = await done;
    expect(result.duplicate).toBe(true);
    expect(graph.messageRequests()).toHaveLength(1);
    expect(result.messageId).toBe(graph.messageRequests()[0]?.messageId);
    const avoided = ((await duplicatesAvoided(a)) ?? 0) + ((await duplicatesAvoided(b)) ?? 0);
    expect(avoided).toBe(1);
  });

  it('a claim left by a dead run expires, then the job is sent once', async () => {
    const prefix = uniqueQueueName('gw');
    const context = await replica(prefix);
    const qe = await queueEvents(prefix);
    const message = outbound({ correlationId: 'wamid.DEAD', content: { kind: 'text', body: 'hola' } });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    // A run that claimed the job and was killed before sending: its claim is never renewed.
    const deadRun = createSendGuard(client, `${prefix}:gateway`, { claimTtlMs: 700 });
    const claimedAt = Date.now();
    expect((await deadRun.claim(jobId)).state).toBe('claimed');

    const done = nextCompletion(qe, jobId);
    await context.producers.outbound.add(message, { jobId });
    const result = await done;
    expect(result.duplicate).toBeUndefined();
    const requests = graph.messageRequests();
    expect(requests).toHaveLength(1);
    // Not before the dead run's claim expired.
    expect(requests[0]?.at.getTime()).toBeGreaterThanOrEqual(claimedAt + 650);
    // Waiting for the claim spent none of the job's attempts.
    const job = (await context.producers.outbound.queue.getJob(jobId)) as Job;
    expect(job.attemptsMade).toBeLessThanOrEqual(1);
    expect(await client.get(guardKey(prefix, jobId))).toBe(`observed:${result.messageId}`);
  });

  it("a run killed after Meta took the message: Meta's status webhook marks it sent, and the re-run sends nothing", async () => {
    const prefix = uniqueQueueName('gw');
    const context = await replica(prefix);
    const app = await buildApp(context);
    const qe = await queueEvents(prefix);
    const message = outbound({
      correlationId: 'wamid.KILLED',
      content: { kind: 'text', body: 'Recibimos tu mensaje' },
    });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    // The run that sent it was killed before it could mark it: only its claim is left.
    const deadRun = createSendGuard(client, `${prefix}:gateway`, { claimTtlMs: 700 });
    expect((await deadRun.claim(jobId)).state).toBe('claimed');
    // Meta took the message and reports it, with the callback data it was sent with.
    const status = (callbackData: string, id: string) =>
      app.inject(
        signedStatus({
          id,
          status: 'sent',
          recipient_id: TO,
          timestamp: String(Math.floor(Date.now() / 1000)),
          biz_opaque_callback_data: callbackData,
        }),
      );
    expect((await status(callbackDataFor(message), 'wamid.OUT-KILLED')).statusCode).toBe(200);
    expect(await client.get(guardKey(prefix, jobId))).toBe('sent:wamid.OUT-KILLED');

    const done = nextCompletion(qe, jobId);
    await context.producers.outbound.add(message, { jobId });
    const result = await done;
    expect(result).toMatchObject({ messageId: 'wamid.OUT-KILLED', duplicate: true });
    expect(graph.messageRequests()).toHaveLength(0);
    expect(await client.get(guardKey(prefix, jobId))).toBe('observed:wamid.OUT-KILLED');

    // A later status changes nothing; neither does another app's callback data (no prefix).
    expect((await status(callbackDataFor(message), 'wamid.OTHER')).statusCode).toBe(200);
    expect(await client.get(guardKey(prefix, jobId))).toBe('observed:wamid.OUT-KILLED');
    const foreign = jobIds.outbound('wamid.FOREIGN', 'ack');
    expect((await status(foreign, 'wamid.FOREIGN-OUT')).statusCode).toBe(200);
    expect(await client.get(guardKey(prefix, foreign))).toBeNull();
    await app.close();
  });

  it('a send that got no answer although Meta took the message: the claim is kept, the status marks it sent, the retry sends nothing', async () => {
    const prefix = uniqueQueueName('gw');
    const context = await replica(prefix);
    const app = await buildApp(context);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    // The status comes a little after the send, later than the job's first retry (20 ms).
    graph.reportStatuses({ url: `http://127.0.0.1:${port}/webhook`, appSecret: APP_SECRET, retryMs: 50, delayMs: 400 });
    try {
      const qe = await queueEvents(prefix);
      graph.addFault({ dropAfterAccepting: true, times: 1 });
      const message = outbound({
        correlationId: 'wamid.NOANSWER',
        content: { kind: 'text', body: 'Recibimos tu mensaje' },
      });
      const jobId = jobIds.outbound(message.correlationId, message.purpose);
      const done = nextCompletion(qe, jobId);
      await context.producers.outbound.add(message, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 20 } });
      const result = await done;
      const [taken, ...more] = graph.messageRequests();
      expect(taken?.outcome).toBe('dropped');
      expect(more).toEqual([]);
      expect(result).toMatchObject({ messageId: taken?.messageId, duplicate: true });
      expect(await client.get(guardKey(prefix, jobId))).toBe(`observed:${taken?.messageId}`);
    } finally {
      graph.reportStatuses(undefined);
      await app.close();
    }
  });

  it('a send refused before it left (connection refused) releases the claim: the retry sends at once', async () => {
    const prefix = uniqueQueueName('gw');
    const closed = await startGraph();
    const deadUrl = closed.url;
    await closed.close();
    const context = testContext(redis.url, cloudConfig(graph, { GRAPH_API_URL: deadUrl }), { prefix });
    contexts.push(context);
    await context.conversationWindow.touch(TO, new Date());
    const message = outbound({ correlationId: 'wamid.REFUSED', content: { kind: 'text', body: 'hola' } });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    await expect(deliverOutbound(message, jobId, context, context.logger)).rejects.toThrow(/Graph API unreachable/);
    // Nothing can have gone out: the claim is gone, a retry may claim and send at once.
    expect(await client.get(guardKey(prefix, jobId))).toBeNull();
  });

  it('a live run keeps its claim past the TTL while its send is slow', async () => {
    const prefix = uniqueQueueName('gw');
    const context = await replica(prefix, {}, { sendGuardOptions: { claimTtlMs: 300, busyRetryMs: 200 } });
    const qe = await queueEvents(prefix);
    graph.addFault({ delayMs: 1_200, times: 1 });
    const message = outbound({ correlationId: 'wamid.SLOW', content: { kind: 'text', body: 'hola' } });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    const done = nextCompletion(qe, jobId);
    await context.producers.outbound.add(message, { jobId });
    await waitFor(() => graph.messageRequests().length === 1, 5_000, 'the send to reach the fake');
    // Three TTLs later the call is still in flight, and its claim still stands.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(graph.messageRequests()[0]?.outcome).toBe(0);
    const other = createSendGuard(client, `${prefix}:gateway`, { claimTtlMs: 300 });
    expect((await other.claim(jobId)).state).toBe('sending');
    const result = await done;
    expect(graph.messageRequests()).toHaveLength(1);
    expect(await client.get(guardKey(prefix, jobId))).toBe(`observed:${result.messageId}`);
  });

  it('a failed send releases the claim, so the retry sends at once; the sent mark lasts a week', async () => {
    const prefix = uniqueQueueName('gw');
    const context = await replica(prefix);
    const qe = await queueEvents(prefix);
    graph.failWith(130429, { times: 1 });
    const message = outbound({ correlationId: 'wamid.RETRY', content: { kind: 'text', body: 'hola' } });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    const done = nextCompletion(qe, jobId);
    await context.producers.outbound.add(message, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 20 } });
    const result = await done;
    const requests = graph.messageRequests();
    expect(requests.map((r) => r.outcome)).toEqual([400, 200]);
    // Far sooner than the 60 s a kept claim would have made the retry wait.
    expect((requests[1]?.at.getTime() ?? 0) - (requests[0]?.at.getTime() ?? 0)).toBeLessThan(5_000);
    expect(await client.get(guardKey(prefix, jobId))).toBe(`observed:${result.messageId}`);
    expect(await client.pttl(guardKey(prefix, jobId))).toBeGreaterThan(6 * 24 * 3600_000);
    expect(await duplicatesAvoided(context)).toBe(0);
  });

  it('an observer that fails after the send: the job stays sent, the retry sends nothing and tells the observers again', async () => {
    const prefix = uniqueQueueName('gw');
    const context = testContext(redis.url, cloudConfig(graph), { prefix, consent: true });
    contexts.push(context);
    await context.conversationWindow.touch(TO, new Date());
    // A chat that has consented, so that the conversation's observer logs what it is sent.
    await context.conversation.store.touchChat(TO, new Date().toISOString());
    await context.conversation.store.updateChat(TO, {
      consentVersion: '1',
      consentAt: new Date().toISOString(),
      mode: 'menu',
    });
    // The conversation's observer meets a Redis blip once, before it has done anything.
    let calls = 0;
    const flaky: OutboundObserver = {
      async onSent(message, result) {
        calls += 1;
        if (calls === 1) throw new Error('Connection is closed.');
        await context.conversation.observer.onSent?.(message, result);
      },
    };
    context.addWorker(
      createOutboundWorker({
        connection: context.redis('worker'),
        prefix,
        logger: context.logger,
        metrics: context.metrics,
        gatewayMetrics: context.gatewayMetrics,
        senders: context.senders,
        observers: [context.deliveryStore, flaky],
        sendGuard: context.sendGuard,
      }),
    );
    const qe = await queueEvents(prefix);
    // The classifier's acknowledgement asks for a handoff: the observer starts it once told.
    const message = outbound({
      correlationId: 'wamid.OBS',
      purpose: 'ack',
      content: { kind: 'text', body: 'Una persona te escribe' },
      meta: { handoff: true },
    });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    const done = nextCompletion(qe, jobId);
    await context.producers.outbound.add(message, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    const result = await done;

    expect(graph.messageRequests()).toHaveLength(1);
    expect(result).toEqual({ messageId: graph.messageRequests()[0]?.messageId, duplicate: true });
    expect(calls).toBe(2);
    const chat = await context.conversation.store.getChat(TO);
    expect(chat).toMatchObject({ handoffReason: 'classifier' });
    expect(chat?.pausedUntil).toBeGreaterThan(Date.now());
    const [entry] = (await context.conversation.store.pageEntries(TO, 0, 1)).items;
    expect(entry).toMatchObject({ id: jobId, direction: 'outbound', providerMessageId: result.messageId });
    expect(await client.get(guardKey(prefix, jobId))).toBe(`observed:${result.messageId}`);
    const job = (await context.producers.outbound.queue.getJob(jobId)) as Job;
    expect(job.attemptsMade).toBe(2);
  });
});
