import { once } from 'node:events';
import { jobIds, QUEUE_NAMES } from '@helpline/contracts';
import { startTestRedis, type TestRedis, waitFor } from '@helpline/testkit';
import { type FakeLlmServer, startFakeLlmServer } from '@helpline/testkit/llm';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import { type ClassifierContext, createContext } from '../src/context.js';
import { createInboundWorker } from '../src/worker/inbound-worker.js';
import { configFor, inbound, memoryLogger, uniquePrefix } from './support.js';

// The classifier's edges against ill-formed Unicode: POST /classify and the inbound queue.
// Text with a lone surrogate is classified and travels on repaired; an identifier with one
// is refused, naming it; nothing answers 500.

let redis: TestRedis;
let server: FakeLlmServer;
const open: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
  server = await startFakeLlmServer();
});
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
afterAll(async () => {
  await server.close();
  await redis.stop();
});

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const anyString = fc.string({ unit: 'binary', maxLength: 40 });

/** Keywords only: no LLM key, so every answer is deterministic and local. */
async function keywordsOnly(): Promise<ClassifierContext> {
  const context = createContext(configFor(server, { REDIS_URL: redis.url }, []), {
    prefix: uniquePrefix(),
    logger: memoryLogger().logger,
  });
  open.push(context);
  if (context.redis.producer.status !== 'ready') await once(context.redis.producer, 'ready');
  return context;
}

describe('POST /classify', () => {
  test('property: arbitrary text is classified (200) and answered well-formed; an ill-formed id is a 400 naming it', async () => {
    const context = await keywordsOnly();
    const app = await buildApp(context);
    open.push(app);
    await fc.assert(
      fc.asyncProperty(anyString, anyString, async (text, idTail) => {
        const plain = await app.inject({ method: 'POST', url: '/classify', headers: auth, payload: { text } });
        expect(plain.statusCode).toBe(200);
        expect(plain.body.isWellFormed()).toBe(true);
        expect(JSON.stringify(plain.json()).isWellFormed()).toBe(true);
        const id = `msg-${idTail}`;
        const legacy = await app.inject({
          method: 'POST',
          url: '/classify',
          headers: auth,
          payload: { message: { id, text: `no tengo internet ${text}` } },
        });
        if (id.isWellFormed()) expect(legacy.statusCode).toBe(200);
        else {
          expect(legacy.statusCode).toBe(400);
          expect(legacy.json().message).toMatch(/message\.id: must be well-formed Unicode/);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the inbound queue', () => {
  test('a message ending in a lone surrogate, written by hand, is classified and its ticket and ack carry it repaired', async () => {
    const context = await keywordsOnly();
    const worker = createInboundWorker({
      connection: context.redis.worker,
      prefix: context.prefix,
      logger: context.logger,
      metrics: context.metrics,
      process: context.processInbound,
    });
    context.inboundWorker = worker;
    open.push(worker);
    const raw = new Queue(QUEUE_NAMES.inbound, { connection: context.redis.producer, prefix: context.prefix });
    open.push(raw);
    const message = inbound({
      text: 'se cayó la fibra en toda la sede y no hay servicio \ud83d',
      customer: { consent: true },
    });
    await raw.add(QUEUE_NAMES.inbound, message, { jobId: jobIds.inbound(message.id) });
    const state = await waitFor(
      async () => {
        const s = await (await raw.getJob(jobIds.inbound(message.id)))?.getState();
        return s === 'completed' || s === 'failed' ? s : undefined;
      },
      15_000,
      'the inbound job',
    );
    expect(state).toBe('completed');
    const produced = [];
    for (const queue of ['tickets', 'diagnostics', 'outbound'] as const) {
      for (const job of await context.producers[queue].queue.getJobs(['waiting', 'delayed', 'completed'])) {
        produced.push(JSON.stringify(job.data));
      }
    }
    expect(produced.length).toBeGreaterThan(0);
    for (const data of produced) expect(data.isWellFormed() && !/\\ud83d(?!\\ud[c-f])/i.test(data)).toBe(true);
    expect(produced.some((d) => d.includes('no hay servicio \ufffd'))).toBe(true);
  });
});
