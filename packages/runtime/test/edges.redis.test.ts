import { MAX_JSON_DEPTH, type OutboundMessageInput } from '@helpline/contracts';
import {
  createMetrics,
  createProducer,
  createRedisConnection,
  createWorker,
  PayloadValidationError,
  QueueAddError,
  type Redis,
} from '@helpline/runtime';
import { startTestRedis } from '@helpline/testkit';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { memoryLogger, uniquePrefix } from './support.js';

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

const PHONE = '573001234567';
const TEXT = 'mi internet no funciona desde ayer';

function template(components: unknown[]): OutboundMessageInput {
  return {
    correlationId: 'wamid.edge',
    purpose: 'notice',
    channel: 'cloud',
    to: PHONE,
    content: { kind: 'template', name: 'aviso', language: 'es', components: components as Record<string, unknown>[] },
  };
}

function deepArray(levels: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('producer errors are told apart', () => {
  test('a payload nested 10,000 deep is refused as invalid, not "queue unavailable", and nothing is stored', async () => {
    const prefix = uniquePrefix();
    const producer = track(createProducer('outbound', { connection: connection('producer'), prefix }));
    const error = await producer
      .add(template([{ type: 'body', parameters: deepArray(10_000) }]), { jobId: 'deep' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect((error as Error).message).toContain(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(await producer.queue.count()).toBe(0);
  });

  test('a payload JSON cannot carry (a BigInt) is refused as invalid', async () => {
    const prefix = uniquePrefix();
    const producer = track(createProducer('outbound', { connection: connection('producer'), prefix }));
    const error = await producer
      .add(template([{ type: 'body', parameters: [{ amount: 10n }] }]), { jobId: 'bigint' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect((error as Error).message).toContain('cannot be serialised as JSON');
  });

  test('an identifier with a lone surrogate is refused naming its field before Redis sees it', async () => {
    const prefix = uniquePrefix();
    const producer = track(createProducer('outbound', { connection: connection('producer'), prefix }));
    const payload = { ...template([]), correlationId: 'wamid.\ud83d' };
    const error = await producer.add(payload, { jobId: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect((error as Error).message).toMatch(/correlationId: must be well-formed Unicode/);
    const badId = await producer.add(template([]), { jobId: 'job-\udc00' }).catch((e: unknown) => e);
    expect(badId).toBeInstanceOf(PayloadValidationError);
    expect((badId as Error).message).toMatch(/jobId: must be well-formed Unicode/);
    expect(await producer.queue.count()).toBe(0);
  });

  test('text the schema passes through unread is stored repaired', async () => {
    const prefix = uniquePrefix();
    const producer = track(createProducer('outbound', { connection: connection('producer'), prefix }));
    await producer.add(template([{ type: 'body', parameters: [{ type: 'text', text: 'fin \ud83d' }] }]), {
      jobId: 'repaired',
    });
    const job = await producer.queue.getJob('repaired');
    expect(JSON.stringify(job?.data)).toContain('fin \ufffd');
  });

  test('an unexpected Redis reply is a QueueAddError whose log line carries neither phone nor text', async () => {
    const prefix = uniquePrefix();
    const raw = connection('worker');
    // BullMQ's add script reads the queue's meta hash: a string there makes Redis answer
    // WRONGTYPE, an error that is neither the payload's fault nor Redis being away.
    await raw.set(`${prefix}:outbound:meta`, 'not a hash');
    const producer = track(createProducer('outbound', { connection: connection('producer'), prefix }));
    const payload = template([{ type: 'body', parameters: [{ type: 'text', text: TEXT }] }]);
    const error = await producer.add(payload, { jobId: 'wrongtype' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueAddError);
    const cause = (error as Error).cause as { command?: { args?: unknown[] } };
    // The real ReplyError carries the command's arguments: the job's data, phone and text.
    expect(JSON.stringify(cause.command?.args)).toContain(TEXT);
    const { logger, lines } = memoryLogger();
    logger.error({ err: error }, 'request failed');
    logger.warn({ err: cause }, 'the cause alone');
    const text = JSON.stringify(lines);
    expect(text).toContain('WRONGTYPE');
    expect(text).not.toContain(TEXT);
    expect(text).not.toContain(PHONE);
  });
});

describe('worker depth limit', () => {
  test('a job nested past the limit, written by hand, fails at once and unrecoverably', async () => {
    const prefix = uniquePrefix();
    const raw = track(new Queue('outbound', { connection: connection('producer'), prefix }));
    let calls = 0;
    const worker = track(
      createWorker(
        'outbound',
        async () => {
          calls++;
        },
        { connection: connection('worker'), prefix, logger: memoryLogger().logger, metrics: createMetrics('test') },
      ),
    );
    const failed = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await raw.add('outbound', template([{ parameters: deepArray(MAX_JSON_DEPTH + 5) }]), {
      jobId: 'deep-by-hand',
      attempts: 5,
    });
    await failed;
    const job = await raw.getJob('deep-by-hand');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBe(`invalid outbound payload: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(calls).toBe(0);
  });
});
