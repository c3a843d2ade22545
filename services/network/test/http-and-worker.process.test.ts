import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { jobIds, type OutboundMessage } from '@helpline/contracts';
import { createProducer, type HttpApp } from '@helpline/runtime';
import { metricValue, startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { type FakeWisphub, startFakeWisphub } from '@helpline/testkit/wisphub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createContext, type NetworkContext } from '../src/context.js';
import { startDiagnosticsWorker } from '../src/worker/diagnostics-worker.js';
import { FAST_TUNING, routerState, testConfig, wisphubClients } from './support/network-config.js';
import { eventually } from './support/index.js';

const TOKEN = 'test-token-0123456789';
let redis: TestRedis;
let router: FakeRouter;
let wisphub: FakeWisphub;
let ctx: NetworkContext;
let app: HttpApp;
const auth = { authorization: `Bearer ${TOKEN}` };

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
  it('needs the bearer token', async () => {
    const r = await app.inject({ method: 'POST', url: '/diagnose', payload: { customerId: '101' } });
    expect(r.statusCode).toBe(401);
  });

  it('returns the report synchronously, by customer id, PPPoE user or phone', async () => {
    const r = await app.inject({ method: 'POST', url: '/diagnose', headers: auth, payload: { customerId: '101' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      fromCache: false,
      report: { status: 'ok', customerId: '101', router: 'default' },
    });
    const byUser = await app.inject({
      method: 'POST',
      url: '/diagnose',
      headers: auth,
      payload: { pppoeUser: 'bob@isp' },
    });
    expect(byUser.json()).toMatchObject({ report: { status: 'down', customerId: '102' } });
    const byPhone = await app.inject({
      method: 'POST',
      url: '/diagnose',
      headers: auth,
      payload: { phone: '+57 300 123 4567' },
    });
    expect(byPhone.json()).toMatchObject({ fromCache: true, report: { customerId: '101' } });
    const forced = await app.inject({
      method: 'POST',
      url: '/diagnose',
      headers: auth,
      payload: { phone: '3001234567', force: true },
    });
    expect(forced.json()).toMatchObject({ fromCache: false });
  });

  it('answers 400 naming the field', async () => {
    const none = await app.inject({ method: 'POST', url: '/diagnose', headers: auth, payload: {} });
    expect(none.statusCode).toBe(400);
    expect(none.json().message).toMatch(/phone.*needs one of phone, customerId, pppoeUser or documentNumber/);
    const bad = await app.inject({
      method: 'POST',
      url: '/diagnose',
      headers: auth,
      payload: { phone: 'x\n/system/reboot' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/phone/);
  });

  it('answers 409 with the candidates when several accounts match', async () => {
    const r = await app.inject({ method: 'POST', url: '/diagnose', headers: auth, payload: { phone: '3005555555' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().details).toEqual({ customerIds: ['105', '106'] });
  });

  it('answers 503 while another diagnosis of the customer outlasts the wait, and when WispHub fails', async () => {
    const held = await ctx.lastReports.claim('104');
    try {
      const busy = await app.inject({
        method: 'POST',
        url: '/diagnose',
        headers: auth,
        payload: { customerId: '104' },
      });
      expect(busy.statusCode).toBe(503);
      expect(busy.json().message).toMatch(/another diagnosis of this customer is still running/);
    } finally {
      if (held) await ctx.lastReports.release(held);
    }
    wisphub.faults = { status: 502 };
    try {
      const down = await app.inject({
        method: 'POST',
        url: '/diagnose',
        headers: auth,
        payload: { customerId: '104' },
      });
      expect(down.statusCode).toBe(503);
      expect(down.json().message).toBe('customer directory unavailable: WispHub answered 502');
    } finally {
      wisphub.faults = {};
    }
  });

  it('shows router and WispHub breaker state in /health and the metrics', async () => {
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.json().checks.routers).toMatchObject({ status: 'ok', details: { default: 'closed' } });
    expect(health.json().checks.directory).toMatchObject({
      status: 'ok',
      details: { source: 'wisphub', breaker: 'closed' },
    });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/helpline_diagnoses_total\{result="ok",service="network"\} \d/);
    expect(metrics.body).toMatch(/helpline_circuit_state\{breaker="router:default",service="network"\} 0/);
    expect(metrics.body).toMatch(/helpline_routeros_command_duration_seconds_bucket\{[^}]*command="\/ping"/);
  });
});

describe('GET /metrics', () => {
  it('exposes the depth of the diagnostics queue it consumes, and passes promtool check metrics', async () => {
    const producer = createProducer('diagnostics', {
      connection: ctx.redis('producer'),
      prefix: ctx.prefix,
    });
    try {
      const before = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const waitingBefore = metricValue(before, 'helpline_queue_jobs', {
        queue: 'diagnostics',
        state: 'waiting',
        service: 'network',
      });
      expect(waitingBefore).toBe(0);
      const correlationId = `wamid.${randomUUID()}`;
      // No worker runs in this file's app: the job stays waiting (delayed one for the other state).
      await producer.add(
        {
          correlationId,
          customer: { customerId: '101' },
          replyTo: { channel: 'cloud', chatId: '573001234567', language: 'es' },
          requestedAt: new Date().toISOString(),
        },
        { jobId: jobIds.diagnostics(correlationId), delay: 60_000 },
      );
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(
        metricValue(res.body, 'helpline_queue_jobs', { queue: 'diagnostics', state: 'delayed', service: 'network' }),
      ).toBe(1);
      expect(metricValue(res.body, 'helpline_queue_jobs', { queue: 'diagnostics', state: 'waiting' })).toBe(0);
      expect(metricValue(res.body, 'helpline_queue_oldest_waiting_seconds', { queue: 'diagnostics' })).toBe(0);
      expect(res.body).not.toContain(correlationId);

      const promtool = spawnSync('promtool', ['check', 'metrics'], { input: res.body, encoding: 'utf8' });
      if (promtool.error)
        throw new Error(`promtool is needed for this test (Debian package prometheus): ${promtool.error.message}`);
      expect(promtool.stdout + promtool.stderr).toBe('');
      expect(promtool.status).toBe(0);
      await producer.queue.obliterate({ force: true });
    } finally {
      await producer.close();
    }
  });
});

describe('diagnostics worker', () => {
  it('consumes a DiagnosticRequest and sends the report to the chat', async () => {
    const worker = startDiagnosticsWorker(ctx);
    const producer = createProducer('diagnostics', {
      connection: ctx.redis('producer'),
      prefix: ctx.prefix,
    });
    try {
      const correlationId = `wamid.${randomUUID()}`;
      await producer.add(
        {
          correlationId,
          customer: { documentNumber: '1003' },
          replyTo: { channel: 'cloud', chatId: '573002222222', language: 'en' },
          requestedAt: new Date().toISOString(),
        },
        { jobId: jobIds.diagnostics(correlationId) },
      );
      let message: OutboundMessage | undefined;
      expect(
        await eventually(() => {
          void ctx.producers.outbound.queue.getJob(jobIds.outbound(correlationId, 'diagnosis')).then((j) => {
            message = j?.data as OutboundMessage | undefined;
          });
          return message !== undefined;
        }, 5_000),
      ).toBe(true);
      expect(message?.content).toMatchObject({ kind: 'text', body: expect.stringContaining('Diagnosis: down') });
      // openTicketOnFailure defaults to true: the fault (a suspended account, not seen before in this file) becomes a ticket.
      // The ticket is added just after the message: wait for it as for the message.
      let ticket: unknown;
      expect(
        await eventually(() => {
          void ctx.producers.tickets.queue.getJob(jobIds.ticket(correlationId)).then((j) => {
            ticket = j?.data;
          });
          return ticket !== undefined;
        }, 5_000),
      ).toBe(true);
    } finally {
      await worker.close();
      await producer.close();
    }
  });

  it('refuses an invalid payload for good, naming the field', async () => {
    const worker = startDiagnosticsWorker(ctx);
    try {
      const { Queue } = await import('bullmq');
      const queue = new Queue('diagnostics', { connection: ctx.redis('producer'), prefix: ctx.prefix });
      const job = await queue.add('diagnostics', { correlationId: 'x', customer: {} }, { attempts: 3 });
      let reason: string | undefined;
      expect(
        await eventually(() => {
          void queue.getJob(job.id as string).then((j) => {
            reason = j?.failedReason;
          });
          return reason !== undefined;
        }, 5_000),
      ).toBe(true);
      expect(reason).toMatch(/invalid diagnostics payload: .*customer/);
      expect((await queue.getJob(job.id as string))?.attemptsMade).toBe(1);
      await queue.close();
    } finally {
      await worker.close();
    }
  });
});
