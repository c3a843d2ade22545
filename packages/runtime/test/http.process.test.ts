import { spawnSync } from 'node:child_process';
import {
  createHttpApp,
  createMetrics,
  createProducer,
  createRedisConnection,
  type HttpApp,
  httpErrors,
  pingRedis,
  registerQueueGauges,
} from '@helpline/runtime';
import { startTestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { inboundMessage, memoryLogger, metricValue, uniquePrefix } from './support/index.js';

const TOKEN = 'operator-token-0123456789';

async function buildApp(overrides: { apiToken?: string; healthy?: boolean } = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'test',
    logger: memoryLogger().logger,
    metrics: createMetrics('test'),
    apiToken: 'apiToken' in overrides ? overrides.apiToken : TOKEN,
    healthChecks: {
      redis: () => ({ status: overrides.healthy === false ? 'down' : 'ok' }),
      provider: () => ({ status: 'degraded', message: 'OPENAI_API_KEY refused (401)' }),
    },
  });
  app.post(
    '/things',
    {
      onRequest: app.operatorAuth,
      schema: {
        body: z.object({ subject: z.string().min(1), priority: z.enum(['low', 'high']) }),
        querystring: z.object({ dry: z.enum(['true', 'false']).optional() }),
      },
    },
    async (request) => ({ received: request.body.subject }),
  );
  app.get('/refused', async () => {
    throw httpErrors.unprocessable('the CRM refused the ticket', { crm: 'INVALID_DATA' });
  });
  app.get('/broken', async () => {
    throw new Error('secret internals');
  });
  await app.ready();
  return app;
}

describe('http app', () => {
  test("each request's log lines carry its request id", async () => {
    const { logger, lines } = memoryLogger();
    const app = await createHttpApp({
      service: 'test',
      logger,
      metrics: createMetrics('test'),
      apiToken: TOKEN,
      healthChecks: {},
    });
    app.get('/hello', async (request) => {
      request.log.warn('inside the handler');
      return { ok: true };
    });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/hello' });
    expect(res.statusCode).toBe(200);
    const reqId = lines.find((l) => l.msg === 'inside the handler')?.reqId;
    expect(reqId).toBeDefined();
    expect(lines.filter((l) => l.reqId === reqId).map((l) => l.msg)).toEqual([
      'incoming request',
      'inside the handler',
      'request completed',
    ]);
    await app.close();
  });

  test('/health answers 200 with every check while nothing is down', async () => {
    const app = await buildApp();
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'degraded',
      service: 'test',
      checks: { redis: { status: 'ok' }, provider: { status: 'degraded', message: 'OPENAI_API_KEY refused (401)' } },
    });
    await app.close();
  });

  test('/health answers 503 when a check is down', async () => {
    const app = await buildApp({ healthy: false });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('down');
    await app.close();
  });

  test('operator routes need the bearer token', async () => {
    const app = await buildApp();
    const body = { subject: 'POS', priority: 'high' };
    const none = await app.inject({ method: 'POST', url: '/things', payload: body });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: 'unauthorized', message: 'missing or wrong bearer token' });
    const wrong = await app.inject({
      method: 'POST',
      url: '/things',
      payload: body,
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await app.inject({
      method: 'POST',
      url: '/things',
      payload: body,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toEqual({ received: 'POS' });
    await app.close();
  });

  test('with no API_TOKEN configured operator routes are closed, not open', async () => {
    const app = await buildApp({ apiToken: undefined });
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: {},
      headers: { authorization: 'Bearer anything' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('operator_api_disabled');
    await app.close();
  });

  test('a bad body answers 400 naming each wrong field', async () => {
    const app = await buildApp();
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { subject: '', priority: 'medium' },
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('bad_request');
    expect(body.message).toContain('body.subject');
    expect(body.message).toContain('body.priority');
    expect(body.details).toHaveLength(2);
    await app.close();
  });

  test('a bad query answers 400 naming the parameter', async () => {
    const app = await buildApp();
    const res = await app.inject({
      method: 'POST',
      url: '/things?dry=perhaps',
      payload: { subject: 'x', priority: 'low' },
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('querystring.dry');
    await app.close();
  });

  test('malformed JSON, a huge body and an unknown route all get the one error shape', async () => {
    const app = await buildApp();
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const malformed = await app.inject({ method: 'POST', url: '/things', payload: '{"subject":', headers: auth });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe('bad_request');
    const huge = await app.inject({
      method: 'POST',
      url: '/things',
      payload: `{"subject":"${'x'.repeat(1024 * 1024)}"}`,
      headers: auth,
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toBe('payload_too_large');
    const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'no route for GET /nowhere' });
    await app.close();
  });

  test('HttpErrors keep their status and details; 5xx details stay out of the answer', async () => {
    const app = await buildApp();
    const refused = await app.inject({ method: 'GET', url: '/refused' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toEqual({
      error: 'unprocessable',
      message: 'the CRM refused the ticket',
      details: { crm: 'INVALID_DATA' },
    });
    const broken = await app.inject({ method: 'GET', url: '/broken' });
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toEqual({ error: 'internal_error', message: 'internal error' });
    expect(broken.body).not.toContain('secret internals');
    await app.close();
  });

  test('OpenAPI is served at /docs/json with the routes and the bearer scheme, and a UI at /docs', async () => {
    const app = await buildApp();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/metrics', '/things']));
    expect(doc.paths['/things'].post.requestBody.content['application/json'].schema.required).toEqual([
      'subject',
      'priority',
    ]);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
    await app.close();
  });
});

describe('metrics endpoint', () => {
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test('exposes prefixed default metrics and queue gauges read at scrape time, and passes promtool check metrics', async () => {
    const prefix = uniquePrefix();
    const connection = createRedisConnection(redis.url, 'producer');
    const producer = createProducer('inbound', { connection, prefix });
    const metrics = createMetrics('gateway');
    registerQueueGauges(metrics, [producer.queue]);
    const app = await createHttpApp({
      service: 'gateway',
      logger: memoryLogger().logger,
      metrics,
      apiToken: TOKEN,
      healthChecks: { redis: async () => ({ status: (await pingRedis(connection)) ? 'ok' : 'down' }) },
    });
    await app.ready();

    const before = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(before, 'helpline_queue_jobs', { queue: 'inbound', state: 'waiting' })).toBe(0);
    await producer.add(inboundMessage('wamid.m1'), { jobId: 'wamid.m1' });
    await producer.add(inboundMessage('wamid.m2'), { jobId: 'wamid.m2', delay: 60_000 });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(
      metricValue(res.body, 'helpline_queue_jobs', { queue: 'inbound', state: 'waiting', service: 'gateway' }),
    ).toBe(1);
    expect(metricValue(res.body, 'helpline_queue_jobs', { queue: 'inbound', state: 'delayed' })).toBe(1);
    expect(metricValue(res.body, 'helpline_queue_jobs', { queue: 'inbound', state: 'failed' })).toBe(0);
    expect(metricValue(res.body, 'helpline_queue_oldest_waiting_seconds', { queue: 'inbound' })).toBeGreaterThanOrEqual(
      0,
    );
    expect(metricValue(res.body, 'helpline_nodejs_active_resources', {})).toBeGreaterThan(0);
    expect(res.body).toContain('helpline_process_cpu_user_seconds_total');
    expect(res.body).not.toContain('wamid.m1');

    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: res.body, encoding: 'utf8' });
    if (promtool.error)
      throw new Error(`promtool is needed for this test (Debian package prometheus): ${promtool.error.message}`);
    expect(promtool.stdout + promtool.stderr).toBe('');
    expect(promtool.status).toBe(0);

    await app.close();
    await producer.close();
    await connection.quit();
  });
});
