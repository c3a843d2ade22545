import type { InboundMessage } from '@helpline/contracts';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { quietLogger, testContext } from './support/harness.js';

let redis: TestRedis;
let context: GatewayContext;

beforeAll(async () => {
  redis = await startTestRedis();
  context = testContext(redis.url);
});
afterAll(async () => {
  await context.close();
  await redis.stop();
});

const message: InboundMessage = {
  id: 'wamid.HBgLMTIzNDU2Nzg5MA==',
  correlationId: 'wamid.HBgLMTIzNDU2Nzg5MA==',
  channel: 'cloud',
  chatId: '5491100000000',
  from: '5491100000000',
  text: 'hola',
  type: 'text',
  sentAt: '2025-01-01T00:00:00.000Z',
  receivedAt: '2025-01-01T00:00:01.000Z',
  history: [],
};

describe('inbound enqueuer (default sink)', () => {
  it('stores a message once, keyed by its id, and reports the repeat as duplicate', async () => {
    expect(await context.sink.accept(message, quietLogger())).toBe('accepted');
    expect(await context.sink.accept(message, quietLogger())).toBe('duplicate');
    const job = await context.producers.inbound.queue.getJob(message.id);
    expect(job?.data).toMatchObject({ id: message.id, text: 'hola' });
    expect(await context.producers.inbound.queue.getJobCountByTypes('waiting')).toBe(1);
  });
});
