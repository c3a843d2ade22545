import { randomUUID } from 'node:crypto';
import { type DiagnosticReport, type DiagnosticRequestInput, DiagnosticRequest, jobIds, type OutboundMessage, type TicketRequest } from '@helpline/contracts';
import { createLogger } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { type FakeWisphub, startFakeWisphub } from '@helpline/testkit/wisphub';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContext, type NetworkContext } from '../src/context.js';
import { handleDiagnosticRequest } from '../src/diagnosis/diagnose.js';
import { FAST_TUNING, routerState, SECRET_VALUES, testConfig, wisphubClients } from './fixtures.js';
import { eventually, openSockets } from './helpers.js';

let redis: TestRedis;
let router: FakeRouter;
let wisphub: FakeWisphub;
let ctx: NetworkContext;
let baseline: number;
const logLines: string[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

beforeEach(async () => {
  baseline = openSockets();
  router = await startFakeRouter({ state: routerState() });
  wisphub = await startFakeWisphub({ clients: wisphubClients() });
  ctx = createContext(
    testConfig({
      REDIS_URL: redis.url,
      MIKROTIK_HOST: router.host,
      MIKROTIK_PORT: String(router.port),
      MIKROTIK_USERNAME: 'api',
      MIKROTIK_PASSWORD: 'secret',
      WISPHUB_API_URL: wisphub.url,
      WISPHUB_API_KEY: wisphub.apiKey,
    }),
    {
      prefix: `test-${randomUUID()}`,
      tuning: FAST_TUNING,
      logger: createLogger({ name: 'network', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    },
  );
  expect(await ctx.ready()).toBe(true);
});

afterEach(async () => {
  await ctx.close();
  await router.close();
  await wisphub.close();
  expect(await eventually(() => openSockets() <= baseline + 1)).toBe(true); // the Redis server's own socket may linger a tick
});

function request(customer: DiagnosticRequestInput['customer'], extra: Partial<DiagnosticRequestInput> = {}): DiagnosticRequest {
  return DiagnosticRequest.parse({
    correlationId: `wamid.${randomUUID()}`,
    customer,
    replyTo: { channel: 'cloud', chatId: '573001234567', language: 'es' },
    openTicketOnFailure: true,
    requestedAt: new Date().toISOString(),
    ...extra,
  });
}

async function outbound(correlationId: string, purpose = 'diagnosis'): Promise<OutboundMessage | undefined> {
  return (await ctx.outbound.queue.getJob(jobIds.outbound(correlationId, purpose)))?.data as OutboundMessage | undefined;
}
async function ticket(correlationId: string): Promise<TicketRequest | undefined> {
  return (await ctx.tickets.queue.getJob(jobIds.ticket(correlationId)))?.data as TicketRequest | undefined;
}

function reportOf(outcome: Awaited<ReturnType<typeof handleDiagnosticRequest>>): DiagnosticReport {
  if (outcome.kind !== 'report') throw new Error(`expected a report, got ${outcome.kind}`);
  return outcome.report;
}

const results = (r: DiagnosticReport) => Object.fromEntries(r.checks.map((c) => [c.name, c.result]));

describe('diagnosis against the fake router, fake WispHub and a real Redis', () => {
  it('a healthy customer: ok, every check run, answer in Spanish, no ticket', async () => {
    const req = request({ phone: '+57 300 123 4567' });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report.status).toBe('ok');
    expect(results(report)).toEqual({ customer: 'pass', account: 'pass', outage: 'pass', pppoe_session: 'pass', ping: 'pass', queue: 'pass' });
    expect(report.checks.find((c) => c.name === 'pppoe_session')?.data).toEqual({ uptimeSeconds: 183_845 });
    expect(report.checks.find((c) => c.name === 'ping')?.data).toMatchObject({ sent: 3, received: 3, lossPercent: 0, avgMs: 2.5 });
    expect(report.checks.find((c) => c.name === 'queue')?.data).toMatchObject({ usePercent: 20 });
    const message = await outbound(req.correlationId);
    expect(message?.purpose).toBe('diagnosis');
    expect(message?.to).toBe('573001234567');
    expect(message?.meta).toEqual({ customerId: '101' });
    expect(message?.content).toMatchObject({ kind: 'text', body: expect.stringContaining('Diagnóstico: funcionando') });
    expect(await ticket(req.correlationId)).toBeUndefined();
    expect(wisphub.requests[0]?.authorization).toBe(`Api-Key ${wisphub.apiKey}`);
    // ping asked for at most 5 packets, secrets never asked for
    const ping = router.commands('/ping')[0]?.words ?? [];
    expect(ping).toContain('=count=3');
  });

  it('a suspended account stops the diagnosis before the router and opens a billing ticket', async () => {
    const req = request({ documentNumber: '1003' });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report.status).toBe('down');
    expect(results(report)).toMatchObject({ account: 'fail', outage: 'skipped', pppoe_session: 'skipped', ping: 'skipped', queue: 'skipped' });
    expect(router.received).toHaveLength(0);
    const t = await ticket(req.correlationId);
    expect(t).toMatchObject({ category: 'billing', idempotencyKey: `diagnosis-${req.correlationId}`, findings: { status: 'down' } });
  });

  it('a general outage on the router answers at once', async () => {
    const report = reportOf(await handleDiagnosticRequest(request({ pppoeUser: 'dan@isp' }), ctx));
    expect(report.status).toBe('down');
    expect(results(report)).toMatchObject({ outage: 'fail', pppoe_session: 'skipped' });
    expect(report.summary.en).toMatch(/general outage/);
    expect(router.received).toHaveLength(0);
  });

  it('no PPPoE session: down with the last disconnect reason, and a ticket with the findings', async () => {
    const req = request({ customerId: '102' });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report.status).toBe('down');
    const session = report.checks.find((c) => c.name === 'pppoe_session');
    expect(session).toMatchObject({ result: 'fail', data: { lastDisconnectReason: 'peer-not-responding' } });
    expect(results(report).ping).toBe('skipped');
    const t = await ticket(req.correlationId);
    expect(t).toMatchObject({ category: 'connectivity', priority: 'high', correlationId: req.correlationId });
    expect(t?.findings?.checks.length).toBe(6);
    // The secret was read without its password.
    const secret = router.commands('/ppp/secret/print')[0]?.words ?? [];
    expect(secret.find((w) => w.startsWith('=.proplist='))).not.toMatch(/password/);
  });

  it('the same on RouterOS 7.18+, which answers an empty print with !empty', async () => {
    router.faults = { emptyReplies: true };
    const report = reportOf(await handleDiagnosticRequest(request({ customerId: '102' }), ctx));
    expect(results(report).pppoe_session).toBe('fail');
    expect(await ctx.serviceMetrics.registry.metrics()).toMatch(/helpline_routeros_errors_total\{router="default",kind="empty"/);
  });

  it('packet loss is degraded', async () => {
    router.state.ping['100.64.0.10'] = { times: [2, null, 3] };
    const degraded = reportOf(await handleDiagnosticRequest(request({ customerId: '101' }), ctx));
    expect(degraded.status).toBe('degraded');
    expect(degraded.checks.find((c) => c.name === 'ping')?.data).toMatchObject({ lossPercent: 33 });
  });

  it('total loss is down', async () => {
    router.state.ping['100.64.0.10'] = { times: [null, null, null] };
    const report = reportOf(await handleDiagnosticRequest(request({ customerId: '101' }), ctx));
    expect(report.status).toBe('down');
    expect(results(report).queue).toBe('skipped');
  });

  it('a queue near its plan limit is degraded', async () => {
    const queue = router.state.tables['/queue/simple']?.[0];
    if (queue) queue.rate = '200000/9500000';
    const report = reportOf(await handleDiagnosticRequest(request({ customerId: '101' }), ctx));
    expect(report.status).toBe('degraded');
    expect(report.checks.find((c) => c.name === 'queue')).toMatchObject({ result: 'warn', data: { usePercent: 95 } });
  });

  it('several accounts on one phone: a question, never the first match', async () => {
    const req = request({ phone: '3005555555' });
    const outcome = await handleDiagnosticRequest(req, ctx);
    expect(outcome.kind).toBe('ambiguous');
    const question = await outbound(req.correlationId, 'diagnosis_account');
    expect(question?.content).toMatchObject({ kind: 'list' });
    const rows = question?.content.kind === 'list' ? question.content.sections.flatMap((s) => s.rows.map((r) => r.id)) : [];
    expect(rows).toEqual(['diagnose:105', 'diagnose:106']);
    expect(await outbound(req.correlationId)).toBeUndefined();
    expect(router.received).toHaveLength(0);
  });

  it('one diagnosis per customer per cooldown: a repeat answers with the last report', async () => {
    const first = reportOf(await handleDiagnosticRequest(request({ customerId: '101' }), ctx));
    const asked = router.received.length;
    const again = request({ phone: '3001234567' });
    const outcome = await handleDiagnosticRequest(again, ctx);
    expect(outcome).toMatchObject({ kind: 'report', fromCache: true });
    expect(reportOf(outcome)).toEqual(first);
    expect(router.received.length).toBe(asked);
    expect((await outbound(again.correlationId))?.content).toMatchObject({ body: expect.stringContaining('revisión reciente') });
  });

  it('answers in English when the reply target says so', async () => {
    const req = request({ customerId: '101' }, { replyTo: { channel: 'group', chatId: '123@g.us', language: 'en', mention: '573001@s.whatsapp.net' } });
    await handleDiagnosticRequest(req, ctx);
    const message = await outbound(req.correlationId);
    expect(message).toMatchObject({ channel: 'group', to: '123@g.us', mentions: ['573001@s.whatsapp.net'] });
    expect(message?.content).toMatchObject({ body: expect.stringContaining('Diagnosis: working') });
  });

  it('an unknown customer gets an unknown report asking for their details', async () => {
    const req = request({ phone: '3999999999' });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report).toMatchObject({ status: 'unknown', checks: [{ name: 'customer', result: 'fail' }] });
    expect(await ticket(req.correlationId)).toBeUndefined();
  });

  it('an unreachable router is unknown, not a crash', async () => {
    router.faults = { hang: 'login' };
    const report = reportOf(await handleDiagnosticRequest(request({ customerId: '101' }), ctx));
    expect(report.status).toBe('unknown');
    expect(report.checks.find((c) => c.name === 'pppoe_session')).toMatchObject({ result: 'error', data: { errorKind: 'connect_timeout' } });
  });

  it('no IP, MAC or password reaches a message, a ticket or a log line', async () => {
    for (const customer of [{ customerId: '101' }, { customerId: '102' }]) {
      const req = request(customer);
      await handleDiagnosticRequest(req, ctx);
      const stored = JSON.stringify([await outbound(req.correlationId), await ticket(req.correlationId)]);
      for (const secret of SECRET_VALUES) expect(stored).not.toContain(secret);
    }
    const logs = logLines.join('\n');
    expect(logs).toContain('diagnosis finished');
    for (const secret of SECRET_VALUES) expect(logs).not.toContain(secret);
  });

  it('WispHub failing is a job error (retried), not a wrong answer', async () => {
    wisphub.faults = { status: 503 };
    await expect(handleDiagnosticRequest(request({ customerId: '101' }), ctx)).rejects.toThrow(/WispHub answered 503/);
  });
});

describe('without a router', () => {
  it('answers "router not configured" (unknown) and says so in the notices', async () => {
    const local = createContext(testConfig({ REDIS_URL: redis.url, WISPHUB_API_URL: wisphub.url, WISPHUB_API_KEY: wisphub.apiKey }), {
      prefix: `test-${randomUUID()}`,
      tuning: FAST_TUNING,
    });
    try {
      expect(await local.ready()).toBe(true);
      const req = request({ customerId: '101' });
      const report = reportOf(await handleDiagnosticRequest(req, local));
      expect(report.status).toBe('unknown');
      expect(report.checks[0]?.finding).toBe('router not configured');
      expect(local.notices.join(' ')).toMatch(/router not configured/);
    } finally {
      await local.close();
    }
  });
});
