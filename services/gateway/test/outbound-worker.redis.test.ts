import type { OutboundMessageInput } from '@helpline/contracts';
import { jobIds } from '@helpline/contracts';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { QueueEvents } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import type { ChannelSender } from '../src/outbound/channel-sender.js';
import { startWorkers } from '../src/workers.js';
import { testContext } from './support/harness.js';

let redis: TestRedis;
let context: GatewayContext | undefined;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});
afterAll(async () => {
  await redis.stop();
});

const groupMessage: OutboundMessageInput = {
  correlationId: 'wamid.group-1',
  purpose: 'ack',
  channel: 'group',
  to: '120363000000000000@g.us',
  content: { kind: 'text', body: 'hola' },
};

describe('outbound worker', () => {
  it('fails a message for a channel with no sender at once, naming what to set', async () => {
    context = testContext(redis.url);
    startWorkers(context);
    const events = new QueueEvents('outbound', { connection: { url: redis.url }, prefix: context.prefix });
    await events.waitUntilReady();
    try {
      const { jobId } = await context.producers.outbound.add(groupMessage, {
        jobId: jobIds.outbound('wamid.group-1', 'ack'),
      });
      const failed = new Promise<string>((resolve) => events.on('failed', ({ failedReason }) => resolve(failedReason)));
      expect(await failed).toMatch(/group channel disabled: set BAILEYS_ENABLED/);
      const job = await context.producers.outbound.queue.getJob(jobId);
      expect(job?.attemptsMade).toBe(1);
    } finally {
      await events.close();
    }
  });

  it('hands the message to its channel sender and tells the observers', async () => {
    const sent: string[] = [];
    const sender: ChannelSender = {
      async send(message) {
        sent.push(message.to);
        return { messageId: 'wamid.out-1' };
      },
    };
    const observed: Array<string | undefined> = [];
    context = testContext(redis.url, undefined, {
      senders: { group: sender },
      observers: [{ onSent: async (_m, r) => void observed.push(r.messageId) }],
    });
    startWorkers(context);
    // Listening before the add: a job done (and removed) before the listener is ready would
    // never be heard finishing.
    const events = new QueueEvents('outbound', { connection: { url: redis.url }, prefix: context.prefix });
    await events.waitUntilReady();
    try {
      const { jobId } = await context.producers.outbound.add(groupMessage, { jobId: 'g-1-ack' });
      const job = await context.producers.outbound.queue.getJob(jobId);
      const result = await job?.waitUntilFinished(events, 10_000);
      expect(result).toEqual({ messageId: 'wamid.out-1' });
      expect(sent).toEqual(['120363000000000000@g.us']);
      expect(observed).toEqual(['wamid.out-1']);
    } finally {
      await events.close();
    }
  });
});
