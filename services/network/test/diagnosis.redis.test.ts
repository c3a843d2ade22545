import { randomUUID } from 'node:crypto';
import {
  type DiagnosticReport,
  type DiagnosticRequestInput,
  DiagnosticRequest,
  jobIds,
  type OutboundMessage,
  type TicketRequest,
} from '@helpline/contracts';
import { createLogger } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { type FakeWisphub, startFakeWisphub } from '@helpline/testkit/wisphub';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createContext, type NetworkContext } from '../src/context.js';
import { handleDiagnosticRequest } from '../src/diagnosis/diagnose.js';
import { FAST_TUNING, routerState, SECRET_VALUES, testConfig, wisphubClients } from './support/network-config.js';
import { eventually, openSockets } from './support/index.js';

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
      logger: createLogger({
        name: 'network',
        level: 'debug',
        destination: { write: (line: string) => void logLines.push(line) },
      }),
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

function request(
  customer: DiagnosticRequestInput['customer'],
  extra: Partial<DiagnosticRequestInput> = {},
): DiagnosticRequest {
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
  return (await ctx.producers.outbound.queue.getJob(jobIds.outbound(correlationId, purpose)))?.data as
    | OutboundMessage
    | undefined;
}
async function ticket(correlationId: string): Promise<TicketRequest | undefined> {
  return (await ctx.producers.tickets.queue.getJob(jobIds.ticket(correlationId)))?.data as TicketRequest | undefined;
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
    expect(results(report)).toEqual({
      customer: 'pass',
      account: 'pass',
      outage: 'pass',
      pppoe_session: 'pass',
      ping: 'pass',
      queue: 'pass',
    });
    expect(report.checks.find((c) => c.name === 'pppoe_session')?.data).toEqual({ uptimeSeconds: 183_845 });
    expect(report.checks.find((c) => c.name === 'ping')?.data).toMatchObject({
      sent: 3,
      received: 3,
      lossPercent: 0,
      avgMs: 2.5,
    });
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
    expect(results(report)).toMatchObject({
      account: 'fail',
      outage: 'skipped',
      pppoe_session: 'skipped',
      ping: 'skipped',
      queue: 'skipped',
    });
    expect(router.received).toHaveLength(0);
    const t = await ticket(req.correlationId);
    expect(t).toMatchObject({
      category: 'billing',
      idempotencyKey: `diagnosis-${req.correlationId}`,
      findings: { status: 'down' },
    });
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
    // a normal reply on 7.18+, not a router error
    expect(await ctx.metrics.registry.metrics()).not.toMatch(/helpline_routeros_errors_total\{/);
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
    const rows =
      question?.content.kind === 'list' ? question.content.sections.flatMap((s) => s.rows.map((r) => r.id)) : [];
    expect(rows).toEqual(['diagnose:105', 'diagnose:106']);
    expect(await outbound(req.correlationId)).toBeUndefined();
    expect(router.received).toHaveLength(0);
    // the customer answers the question; staff are not asked
    expect(await ticket(req.correlationId)).toBeUndefined();
  });

  it('one diagnosis per customer per cooldown: a repeat answers with the last report', async () => {
    const first = reportOf(await handleDiagnosticRequest(request({ customerId: '101' }), ctx));
    const asked = router.received.length;
    const again = request({ phone: '3001234567' });
    const outcome = await handleDiagnosticRequest(again, ctx);
    expect(outcome).toMatchObject({ kind: 'report', fromCache: true });
    expect(reportOf(outcome)).toEqual(first);
    expect(router.received.length).toBe(asked);
    expect((await outbound(again.correlationId))?.content).toMatchObject({
      body: expect.stringContaining('revisión reciente'),
    });
  });

  it('answers in English when the reply target says so', async () => {
    const req = request(
      { customerId: '101' },
      { replyTo: { channel: 'group', chatId: '123@g.us', language: 'en', mention: '573001@s.whatsapp.net' } },
    );
    await handleDiagnosticRequest(req, ctx);
    const message = await outbound(req.correlationId);
    expect(message).toMatchObject({ channel: 'group', to: '123@g.us', mentions: ['573001@s.whatsapp.net'] });
    expect(message?.content).toMatchObject({ body: expect.stringContaining('Diagnosis: working') });
  });

  it('an unknown customer gets an unknown report asking for their details', async () => {
    const req = request({ phone: '3999999999' }, { openTicketOnFailure: false });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report).toMatchObject({ status: 'unknown', checks: [{ name: 'customer', result: 'fail' }] });
    expect((await outbound(req.correlationId))?.content).toMatchObject({
      body: expect.stringContaining('No encontramos una cuenta'),
    });
    expect(await ticket(req.correlationId)).toBeUndefined();
  });

  it('an unreachable router is unknown, not a crash, and the complaint reaches staff as a ticket saying why', async () => {
    router.faults = { hang: 'login' };
    const req = request({ customerId: '101' }, { reportedText: 'no tengo internet' });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report.status).toBe('unknown');
    expect(report.checks.find((c) => c.name === 'pppoe_session')).toMatchObject({
      result: 'error',
      data: { errorKind: 'connect_timeout' },
    });
    const t = await ticket(req.correlationId);
    expect(t).toMatchObject({
      category: 'connectivity',
      priority: 'medium',
      contact: { phone: '3001234567', customerId: '101' },
      findings: { status: 'unknown', customerId: '101' },
    });
    expect(t?.subject).toMatch(/not diagnosed.*customer 101/);
    expect(t?.description).toContain('Customer wrote: no tengo internet');
    expect(t?.description).toContain('pppoe_session: error: could not ask the router (connect_timeout)');
  });

  it('a customer not in the directory: the complaint still reaches staff, with what they were looked up by', async () => {
    const req = request({ phone: '+57 399 999 9999' });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report.status).toBe('unknown');
    const t = await ticket(req.correlationId);
    expect(t).toMatchObject({
      category: 'connectivity',
      contact: { phone: '+57 399 999 9999' },
      findings: { status: 'unknown' },
    });
    expect(t?.contact.customerId).toBeUndefined();
    expect(t?.subject).toMatch(/customer not found/);
    expect(t?.description).toContain('Looked up by: phone +57 399 999 9999');
    expect(t?.description).toContain('customer: fail: no customer matches the reference given');
  });

  it('not found by document number: the ticket reaches the person by the chat they wrote from', async () => {
    const req = request({ documentNumber: '999' });
    reportOf(await handleDiagnosticRequest(req, ctx));
    expect((await ticket(req.correlationId))?.contact).toEqual({ phone: '573001234567' });
    // a group chat: the member who complained, by their phone JID
    const inGroup = request(
      { documentNumber: '998' },
      { replyTo: { channel: 'group', chatId: '1203@g.us', mention: '573009998877@s.whatsapp.net', language: 'es' } },
    );
    reportOf(await handleDiagnosticRequest(inGroup, ctx));
    expect((await ticket(inGroup.correlationId))?.contact).toEqual({ phone: '573009998877' });
    // nobody to reach: no ticket, said in the log (the chat still gets the report)
    const nobody = request(
      { documentNumber: '997' },
      { replyTo: { channel: 'group', chatId: '1203@g.us', language: 'es' } },
    );
    reportOf(await handleDiagnosticRequest(nobody, ctx));
    expect(await ticket(nobody.correlationId)).toBeUndefined();
    expect(await outbound(nobody.correlationId)).toBeDefined();
    expect(logLines.join('\n')).toContain('ticket not opened: no phone or customer record');
  });

  it('a failed PPPoE secret look-up is a finding, and logged without secrets', async () => {
    router.faults = { fatalOn: '/ppp/secret/print' };
    const req = request({ customerId: '102' });
    const report = reportOf(await handleDiagnosticRequest(req, ctx));
    expect(report.status).toBe('down');
    const session = report.checks.find((c) => c.name === 'pppoe_session');
    expect(session).toMatchObject({ result: 'fail', data: { secretLookupError: 'fatal', lastDisconnectReason: null } });
    expect(session?.finding).toBe("no PPPoE session; the account's last disconnect could not be read (fatal)");
    const line = logLines.find((l) => l.includes('PPPoE secret look-up failed'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ customerId: '102', router: 'default', errorKind: 'fatal' });
    for (const secret of [...SECRET_VALUES, 'bob@isp']) expect(line).not.toContain(secret);
    expect((await ticket(req.correlationId))?.description).toContain('could not be read (fatal)');
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

describe('one diagnosis per customer at a time (a claim in Redis)', () => {
  async function ticketsFor(...correlationIds: string[]): Promise<TicketRequest[]> {
    const found = await Promise.all(correlationIds.map((id) => ticket(id)));
    return found.filter((t): t is TicketRequest => t !== undefined);
  }

  it('two jobs for one customer at once: the router sees one run, both answer with the same report, one ticket', async () => {
    const first = request({ customerId: '102' });
    const second = request({ phone: '+57 300 222 2222' });
    const [a, b] = await Promise.all([handleDiagnosticRequest(first, ctx), handleDiagnosticRequest(second, ctx)]);
    expect(router.commands('/ppp/active/print')).toHaveLength(1);
    expect(router.commands('/ppp/secret/print')).toHaveLength(1);
    expect(reportOf(a)).toEqual(reportOf(b));
    expect(reportOf(a).status).toBe('down');
    expect([a, b].map((o) => (o.kind === 'report' ? o.fromCache : undefined)).sort()).toEqual([false, true]);
    expect(await ticketsFor(first.correlationId, second.correlationId)).toHaveLength(1);
    // both chats got an answer
    expect(await outbound(first.correlationId)).toBeDefined();
    expect(await outbound(second.correlationId)).toBeDefined();
  });

  it('two processes (two contexts on one Redis) and POST /diagnose at once: still one run', async () => {
    const other = createContext(
      testConfig({
        REDIS_URL: redis.url,
        MIKROTIK_HOST: router.host,
        MIKROTIK_PORT: String(router.port),
        MIKROTIK_USERNAME: 'api',
        MIKROTIK_PASSWORD: 'secret',
        WISPHUB_API_URL: wisphub.url,
        WISPHUB_API_KEY: wisphub.apiKey,
        API_TOKEN: 'test-token-0123456789',
      }),
      { prefix: ctx.prefix, tuning: FAST_TUNING, logger: createLogger({ name: 'network', level: 'silent' }) },
    );
    const app = await buildApp(other);
    try {
      expect(await other.ready()).toBe(true);
      const job = request({ customerId: '101' });
      // slow pings keep the first diagnosis running while the others arrive
      router.state.ping['100.64.0.10'] = { times: [40, 40, 40] };
      const [fromJob, fromHttp, fromOtherJob] = await Promise.all([
        handleDiagnosticRequest(job, ctx),
        app.inject({
          method: 'POST',
          url: '/diagnose',
          headers: { authorization: 'Bearer test-token-0123456789' },
          payload: { customerId: '101' },
        }),
        handleDiagnosticRequest(request({ pppoeUser: 'ana@isp' }), other),
      ]);
      expect(router.commands('/ping')).toHaveLength(1);
      expect(fromHttp.statusCode).toBe(200);
      const httpReport = fromHttp.json().report as DiagnosticReport;
      expect(httpReport).toEqual(reportOf(fromJob));
      expect(reportOf(fromOtherJob)).toEqual(reportOf(fromJob));
      expect(reportOf(fromJob).status).toBe('ok');
    } finally {
      await app.close();
      await other.close();
    }
  });

  it('a forced diagnosis asks the router again, but not while another is running', async () => {
    await handleDiagnosticRequest(request({ customerId: '101' }), ctx);
    expect(router.commands('/ping')).toHaveLength(1);
    const { diagnose } = await import('../src/diagnosis/diagnose.js');
    const forced = await diagnose({ customerId: '101' }, 'http-forced-1', ctx, { force: true });
    expect(forced).toMatchObject({ kind: 'report', fromCache: false, report: { correlationId: 'http-forced-1' } });
    expect(router.commands('/ping')).toHaveLength(2);
    const [x, y] = await Promise.all([
      diagnose({ customerId: '101' }, 'http-forced-2', ctx, { force: true }),
      diagnose({ customerId: '101' }, 'http-forced-3', ctx, { force: true }),
    ]);
    expect(router.commands('/ping')).toHaveLength(3);
    expect(x.kind === 'report' && y.kind === 'report' && x.report).toEqual(y.kind === 'report' && y.report);
  });
});

describe('without a router', () => {
  it('answers "router not configured" (unknown) and says so in the notices', async () => {
    const local = createContext(
      testConfig({ REDIS_URL: redis.url, WISPHUB_API_URL: wisphub.url, WISPHUB_API_KEY: wisphub.apiKey }),
      {
        prefix: `test-${randomUUID()}`,
        tuning: FAST_TUNING,
      },
    );
    try {
      expect(await local.ready()).toBe(true);
      const req = request({ customerId: '101' });
      const report = reportOf(await handleDiagnosticRequest(req, local));
      expect(report.status).toBe('unknown');
      expect(report.checks[0]?.finding).toBe('router not configured');
      expect(local.notices.join(' ')).toMatch(/router not configured/);
      // the complaint reaches staff all the same
      const t = (await local.producers.tickets.queue.getJob(jobIds.ticket(req.correlationId)))?.data as
        | TicketRequest
        | undefined;
      expect(t).toMatchObject({ contact: { customerId: '101' }, findings: { status: 'unknown' } });
      expect(t?.description).toContain('pppoe_session: error: router not configured');
    } finally {
      await local.close();
    }
  });
});
