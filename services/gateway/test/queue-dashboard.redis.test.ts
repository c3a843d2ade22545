import { ALL_QUEUES } from '@helpline/contracts';
import { createProducer, type HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { presentedSecret } from '../src/admin/dashboard-auth.js';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { API_TOKEN, testConfig, testContext } from './support/harness.js';

let redis: TestRedis;
let context: GatewayContext | undefined;
let app: HttpApp | undefined;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await app?.close();
  await context?.close();
  app = undefined;
  context = undefined;
});
afterAll(async () => {
  await redis.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

async function start(env: Record<string, string | undefined> = {}): Promise<{ context: GatewayContext; app: HttpApp }> {
  context = testContext(redis.url, testConfig(env));
  app = await buildApp(context);
  return { context, app };
}

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
}

describe('queue dashboard (Bull Board at /admin/queues)', () => {
  it('asks for credentials with a Basic challenge, and refuses a wrong token either way', async () => {
    const { app: http } = await start();
    for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
      const none = await http.inject({ url });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Basic realm="helpline"');
      expect(none.json()).toMatchObject({ error: 'unauthorized' });
    }
    const wrongBearer = await http.inject({ url: '/admin/queues', headers: bearer('not-the-token') });
    expect(wrongBearer.statusCode).toBe(401);
    const wrongBasic = await http.inject({ url: '/admin/queues', headers: basic('ops', 'not-the-token') });
    expect(wrongBasic.statusCode).toBe(401);
    // The token as the Basic user name, with an empty password, is not the password.
    const asUser = await http.inject({ url: '/admin/queues', headers: basic(API_TOKEN, '') });
    expect(asUser.statusCode).toBe(401);
  });

  it('serves the board page to the bearer token and to Basic auth with the token as password', async () => {
    const { app: http } = await start();
    const withBearer = await http.inject({ url: '/admin/queues', headers: bearer(API_TOKEN) });
    expect(withBearer.statusCode).toBe(200);
    expect(withBearer.headers['content-type']).toMatch(/text\/html/);
    // The page loads its assets and API relative to the mount path.
    expect(withBearer.body).toContain('<base href="/admin/queues/"');
    const withBasic = await http.inject({ url: '/admin/queues', headers: basic('any-operator', API_TOKEN) });
    expect(withBasic.statusCode).toBe(200);
    expect(withBasic.body).toBe(withBearer.body);
    // A reload on one of the board's own pages (its client-side routes) serves the page too.
    for (const page of ['/admin/queues/', '/admin/queues/queue/outbound']) {
      expect((await http.inject({ url: page, headers: basic('ops', API_TOKEN) })).statusCode).toBe(200);
    }
    // Its assets are behind the same door.
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(withBearer.body)?.[1];
    expect(script).toBeDefined();
    const asset = `/admin/queues/${script}`;
    expect((await http.inject({ url: asset })).statusCode).toBe(401);
    const served = await http.inject({ url: asset, headers: basic('ops', API_TOKEN) });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toMatch(/javascript/);
  });

  it('lists the four pipeline queues under the producers’ prefix, with their counts', async () => {
    const { context: ctx, app: http } = await start();
    // A job another service put on `tickets`, under the same prefix: the board must see it.
    const tickets = createProducer('tickets', { connection: ctx.redis('producer'), prefix: ctx.prefix });
    try {
      await tickets.add(
        {
          idempotencyKey: 'ticket-wamid.BOARD1',
          correlationId: 'wamid.BOARD1',
          subject: 'POS caído en la tienda',
          description: 'El sistema POS no funciona en la tienda',
          priority: 'high',
          category: 'technical',
          contact: { name: 'Ana', phone: '5491144445555' },
          channel: 'group',
        },
        { jobId: 'ticket-wamid.BOARD1' },
      );
    } catch (error) {
      await tickets.close();
      throw error;
    }
    await tickets.close();

    const answer = await http.inject({ url: '/admin/queues/api/queues', headers: bearer(API_TOKEN) });
    expect(answer.statusCode).toBe(200);
    const queues = (answer.json() as { queues: BoardQueue[] }).queues;
    expect(queues.map((q) => q.name).sort()).toEqual([...ALL_QUEUES].sort());
    expect(queues.find((q) => q.name === 'tickets')?.counts.waiting).toBe(1);
    expect(queues.find((q) => q.name === 'outbound')?.counts.waiting).toBe(0);
  });

  it('is closed (503) while API_TOKEN is unset', async () => {
    const { app: http } = await start({ API_TOKEN: undefined });
    for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
      const answer = await http.inject({ url, headers: basic('ops', 'anything') });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({
        error: 'operator_api_disabled',
        message: expect.stringContaining('API_TOKEN'),
      });
    }
  });

  it('closes its queue objects with the context', async () => {
    const { context: ctx } = await start();
    const queues = Object.values(ctx.dashboardQueues);
    expect(queues.map((q) => q.name).sort()).toEqual([...ALL_QUEUES].sort());
    expect(queues.every((q) => q.opts.prefix === ctx.prefix)).toBe(true);
    await app?.close();
    app = undefined;
    await ctx.close();
    context = undefined;
    expect(queues.every((q) => q.closing !== undefined)).toBe(true);
  });
});

describe('presentedSecret', () => {
  it('reads a bearer token or a Basic password, and nothing else', () => {
    expect(presentedSecret('Bearer abc.def')).toBe('abc.def');
    expect(presentedSecret(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`)).toBe('pa:ss');
    expect(presentedSecret(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
    expect(presentedSecret('Digest username="x"')).toBeUndefined();
    expect(presentedSecret(undefined)).toBeUndefined();
  });
});
