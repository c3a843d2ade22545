import { jobIds } from '@helpline/contracts';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import type { FakeGraphApi } from '@helpline/testkit/meta-graph';
import { QueueEvents } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { cloudConfig, outbound, startGraph } from './support/cloud-harness.js';
import { testContext } from './support/harness.js';

let redis: TestRedis;
let graph: FakeGraphApi;
const contexts: GatewayContext[] = [];
const events: QueueEvents[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  graph = await startGraph();
});
afterEach(async () => {
  graph.reset();
  await Promise.all(events.splice(0).map((e) => e.close()));
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await graph.close();
  await redis.stop();
});

async function start(env: Record<string, string> = {}, prefix?: string): Promise<GatewayContext> {
  const context = testContext(redis.url, cloudConfig(graph, env), prefix ? { prefix } : {});
  contexts.push(context);
  startWorkers(context);
  return context;
}
async function queueEvents(context: GatewayContext): Promise<QueueEvents> {
  const e = new QueueEvents('outbound', { connection: { url: redis.url }, prefix: context.prefix });
  events.push(e);
  await e.waitUntilReady();
  return e;
}

describe('outbound worker, cloud channel, against the fake Graph API', () => {
  it('sends a queued message, records its delivery state, and retries a rate limit with backoff', async () => {
    const context = await start();
    await context.conversationWindow.touch('5491155550000', new Date());
    const qe = await queueEvents(context);
    graph.failWith(130429, { times: 2 });
    const message = outbound({ content: { kind: 'text', body: 'Tu ticket es T-1' }, purpose: 'ticket' });
    const { jobId } = await context.producers.outbound.add(message, {
      jobId: jobIds.outbound(message.correlationId, message.purpose),
      attempts: 4,
      backoff: { type: 'fixed', delay: 20 },
    });
    const job = await context.producers.outbound.queue.getJob(jobId);
    const result = (await job?.waitUntilFinished(qe, 15_000)) as { messageId: string };
    expect(result.messageId).toMatch(/^wamid\./);
    expect(graph.messageRequests().map((r) => r.outcome)).toEqual([400, 400, 200]);
    expect(await context.deliveryStore.get(result.messageId)).toMatchObject({
      status: 'accepted',
      correlationId: 'wamid.IN1',
      purpose: 'ticket',
    });
  });

  it('fails a 131026 job at once, without retrying', async () => {
    const context = await start();
    await context.conversationWindow.touch('5491155550000', new Date());
    const qe = await queueEvents(context);
    graph.failWith(131026);
    const failed = new Promise<string>((resolve) => qe.on('failed', ({ failedReason }) => resolve(failedReason)));
    await context.producers.outbound.add(outbound({ content: { kind: 'text', body: 'x' } }), {
      jobId: 'undeliverable-ack',
      attempts: 5,
      backoff: { type: 'fixed', delay: 10 },
    });
    // The catalogue's fixed code, Meta's number beside it (broadcast reports read it there).
    expect(await failed).toMatch(/^graph_refused \(131026\): Graph API 400 code 131026/);
    expect(graph.messageRequests()).toHaveLength(1);
  });

  it('fails a cloud message at once when the Cloud API is not configured, naming the variables', async () => {
    const context = testContext(redis.url);
    contexts.push(context);
    startWorkers(context);
    const qe = await queueEvents(context);
    const failed = new Promise<string>((resolve) => qe.on('failed', ({ failedReason }) => resolve(failedReason)));
    await context.producers.outbound.add(outbound({ content: { kind: 'text', body: 'x' } }), { jobId: 'noconf-ack' });
    expect(await failed).toMatch(/WHATSAPP_ACCESS_TOKEN/);
  });

  it('holds WHATSAPP_SEND_RATE across two replicas sharing Redis', async () => {
    const rate = 10;
    const a = await start({ WHATSAPP_SEND_RATE: String(rate) });
    // A second replica: its own context and worker on the same queue and keys.
    const b = await start({ WHATSAPP_SEND_RATE: String(rate) }, a.prefix);
    await a.conversationWindow.touch('5491155550000', new Date());
    const qe = await queueEvents(a);
    const total = 25;
    let done = 0;
    const all = new Promise<void>((resolve) =>
      qe.on('completed', () => {
        done += 1;
        if (done === total) resolve();
      }),
    );
    for (let i = 0; i < total; i++) {
      await a.producers.outbound.add(
        outbound({ correlationId: `wamid.R${i}`, content: { kind: 'text', body: `m${i}` } }),
        { jobId: `rate-${i}` },
      );
    }
    await all;
    const times = graph
      .messageRequests()
      .map((r) => r.at.getTime())
      .sort((x, y) => x - y);
    expect(times).toHaveLength(total);
    // In every one-second window, at most `rate` sends (one more for timer rounding).
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= (times[i] ?? 0) && t < (times[i] ?? 0) + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(rate + 1);
    }
    expect(b.workers).toHaveLength(1);
  });
});
