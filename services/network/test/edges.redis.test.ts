import { randomUUID } from 'node:crypto';
import type { HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { type FakeWisphub, startFakeWisphub } from '@helpline/testkit/wisphub';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import { createContext, type NetworkContext } from '../src/context.js';
import { FAST_TUNING, routerState, testConfig, wisphubClients } from './fixtures.js';

// POST /diagnose against ill-formed Unicode: an identifier holding a lone surrogate is a
// 400 naming it, before any directory or router is asked; nothing answers 500.

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
let redis: TestRedis;
let router: FakeRouter;
let wisphub: FakeWisphub;
let ctx: NetworkContext;
let app: HttpApp;

beforeAll(async () => {
  redis = await startTestRedis();
  router = await startFakeRouter({ state: routerState() });
  wisphub = await startFakeWisphub({ clients: wisphubClients() });
  ctx = createContext(
    testConfig({
      REDIS_URL: redis.url,
      API_TOKEN: TOKEN,
      MIKROTIK_ROUTERS: JSON.stringify([
        { name: 'default', host: router.host, port: router.port, username: 'api', password: 'secret' },
      ]),
      WISPHUB_API_URL: wisphub.url,
      WISPHUB_API_KEY: wisphub.apiKey,
    }),
    { prefix: `test-${randomUUID()}`, tuning: { ...FAST_TUNING, claimWaitMs: 500, claimPollMs: 20 } },
  );
  expect(await ctx.ready()).toBe(true);
  app = await buildApp(ctx);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await ctx.close();
  await router.close();
  await wisphub.close();
  await redis.stop();
});

describe('POST /diagnose', () => {
  test('a customerId with a lone surrogate is a 400 naming it, and the directory is never asked', async () => {
    const before = wisphub.requests.length;
    const res = await app.inject({
      method: 'POST',
      url: '/diagnose',
      headers: auth,
      payload: { customerId: '101\ud83d' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/body\.customerId: must be well-formed Unicode/);
    expect(wisphub.requests.length).toBe(before);
  });

  test('property: arbitrary identifiers never answer 500; ill-formed ones are refused with 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('customerId', 'pppoeUser', 'documentNumber'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
        async (field, value) => {
          const res = await app.inject({
            method: 'POST',
            url: '/diagnose',
            headers: auth,
            payload: { [field]: value },
          });
          expect(res.statusCode).not.toBe(500);
          if (!value.isWellFormed()) {
            expect(res.statusCode).toBe(400);
            expect(res.json().message).toContain(field);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
