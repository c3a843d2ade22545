import { jobIds, type OutboundMessage, QUEUE_NAMES, type TicketRequestInput } from '@helpline/contracts';
import { createRedisConnection } from '@helpline/runtime';
import type { FakeZoho } from '@helpline/testkit/zoho';
import { Queue } from 'bullmq';
import { describe, expect, test } from 'vitest';
import type { TicketsContext, TicketsContextOverrides } from '../src/context.js';
import { startTicketWorker } from '../src/queue/start-ticket-worker.js';
import { retryFailedJobs } from '../src/queue/queue-operations.js';
import { FAST, metricValue, testConfig, ticketRequest, uniquePrefix, waitFor, zohoEnv } from './support/index.js';
import { ticketsTestBed } from './support/test-bed.js';

const bed = ticketsTestBed();
const { contexts } = bed;
let zoho: FakeZoho;

/** One replica of the service (context + worker) against the fake Zoho. */
function replica(
  shared: { prefix: string; keyPrefix: string },
  overrides: TicketsContextOverrides = {},
): TicketsContext {
  const context = contexts.create(testConfig(zohoEnv(zoho, bed.redis.url)), { ...FAST, ...shared, ...overrides });
  startTicketWorker(context);
  return context;
}

async function enqueue(context: TicketsContext, request: TicketRequestInput): Promise<string> {
  const { jobId } = await context.producers.tickets.add(request, { jobId: jobIds.ticket(request.correlationId) });
  return jobId;
}

async function settled(context: TicketsContext, jobId: string): Promise<'completed' | 'failed'> {
  return waitFor(
    async () => {
      const state = await context.producers.tickets.queue.getJobState(jobId);
      return state === 'completed' || state === 'failed' ? state : undefined;
    },
    20_000,
    `job ${jobId} to settle`,
  );
}

/** Tickets in the fake Zoho per idempotency key. */
function ticketsPerKey(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of zoho.tickets()) {
    const key = t.cf.cf_idempotency_key ?? '(none)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('tickets worker against Zoho Desk', () => {
  test('a Zoho outage spanning several retry periods ends with every ticket created exactly once, and each customer told', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    zoho.setMode('outage');
    const context = replica(shared);
    const requests = Array.from({ length: 5 }, () => ticketRequest());
    const jobs = await Promise.all(requests.map((r) => enqueue(context, r)));

    // Every ticket retried at least three times while Zoho is down (the breaker opens too).
    await waitFor(
      async () =>
        (metricValue(await context.metrics.registry.metrics(), 'helpline_tickets_total', { outcome: 'retried' }) ??
          0) >= 15 || undefined,
      20_000,
      'several retry periods',
    );
    expect(zoho.tickets()).toHaveLength(0);
    expect(zoho.requestsTo('/api/v1/', 'GET').every((r) => r.status === 503)).toBe(true);
    zoho.setMode('normal');

    for (const jobId of jobs) expect(await settled(context, jobId)).toBe('completed');
    const perKey = ticketsPerKey();
    expect(perKey.size).toBe(5);
    for (const r of requests) expect(perKey.get(r.idempotencyKey)).toBe(1);

    // The customer of each ticket is told its number, once.
    for (const r of requests) {
      const notice = await context.producers.outbound.queue.getJob(jobIds.outbound(r.correlationId, 'ticket'));
      const ticket = zoho.tickets().find((t) => t.cf.cf_idempotency_key === r.idempotencyKey)!;
      const message = notice?.data as OutboundMessage;
      expect(message.to).toBe('573001112233');
      expect(message.content).toMatchObject({ kind: 'text' });
      expect(message.content.kind === 'text' && message.content.body).toContain(ticket.ticketNumber);
      expect(message.content.kind === 'text' && message.content.body).toContain('Registramos tu caso');
    }
    const text = await context.metrics.registry.metrics();
    expect(metricValue(text, 'helpline_tickets_total', { provider: 'zoho', outcome: 'created' })).toBe(5);
    expect(
      metricValue(text, 'helpline_circuit_events_total', { breaker: 'zoho', event: 'open' }),
    ).toBeGreaterThanOrEqual(1);
  });

  test('two replicas sharing one Redis refresh the token once, cold and after Zoho expires it', async () => {
    // Some latency keeps jobs in flight long enough for both replicas to take a share.
    zoho = await bed.startZoho({ latencyMs: 20 });
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const a = replica(shared, { workerConcurrency: 4 });
    const b = replica(shared, { workerConcurrency: 4 });

    const first = Array.from({ length: 8 }, () => ticketRequest());
    const firstJobs = await Promise.all(first.map((r) => enqueue(a, r)));
    for (const jobId of firstJobs) expect(await settled(a, jobId)).toBe('completed');
    expect(zoho.refreshCount()).toBe(1);

    // Zoho expires the token; every replica still holds it in Redis and meets INVALID_OAUTH.
    zoho.expireTokens();
    const second = Array.from({ length: 8 }, () => ticketRequest());
    const secondJobs = await Promise.all(second.map((r) => enqueue(a, r)));
    for (const jobId of secondJobs) expect(await settled(a, jobId)).toBe('completed');
    expect(zoho.refreshCount()).toBe(2);
    expect(zoho.requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);

    const perKey = ticketsPerKey();
    for (const r of [...first, ...second]) expect(perKey.get(r.idempotencyKey)).toBe(1);
    // Both replicas did work (the refresh was not just one process talking to itself).
    for (const replicaContext of [a, b]) {
      const completed = metricValue(await replicaContext.metrics.registry.metrics(), 'helpline_jobs_total', {
        outcome: 'completed',
      });
      expect(completed).toBeGreaterThan(0);
    }
  });

  test('a token about to expire is refreshed before use, never sent expired', async () => {
    // A 2 s token is kept 1 s (half its life when the margin is longer than it).
    zoho = await bed.startZoho({ tokenLifetimeSeconds: 2 });
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const context = replica(shared, { tokenExpiryMarginMs: 60_000 });
    const jobId = await enqueue(context, ticketRequest());
    expect(await settled(context, jobId)).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const later = await enqueue(context, ticketRequest());
    expect(await settled(context, later)).toBe('completed');
    expect(zoho.refreshCount()).toBeGreaterThanOrEqual(2);
    expect(zoho.requests.some((r) => r.status === 401)).toBe(false);
  });

  test('Zoho creates the ticket and drops the connection: the worker finds it by key, one ticket', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    zoho.setMode('drop_after_create', { times: 1 });
    const context = replica(shared);
    const request = ticketRequest();
    const jobId = await enqueue(context, request);
    expect(await settled(context, jobId)).toBe('completed');
    expect(zoho.tickets()).toHaveLength(1);
    expect(zoho.requestsTo('/api/v1/tickets', 'POST')).toHaveLength(1);
    expect(zoho.requestsTo('/api/v1/tickets/search', 'GET').length).toBeGreaterThanOrEqual(1);
    const job = await context.producers.tickets.queue.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ ticketNumber: zoho.tickets()[0]!.ticketNumber, duplicate: true });
    expect(
      metricValue(await context.metrics.registry.metrics(), 'helpline_tickets_total', { outcome: 'duplicate_avoided' }),
    ).toBe(1);
  });

  test("create-then-drop while Zoho's search index lags: the contact's own ticket list finds it, one ticket", async () => {
    // The search never sees anything younger than a minute: only the database-backed reads do.
    zoho = await bed.startZoho({ searchLagMs: 60_000 });
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    zoho.setMode('drop_after_create', { times: 1 });
    const context = replica(shared);
    const request = ticketRequest();
    const jobId = await enqueue(context, request);
    expect(await settled(context, jobId)).toBe('completed');

    expect(zoho.tickets()).toHaveLength(1);
    expect(zoho.requestsTo('/api/v1/tickets', 'POST')).toHaveLength(1);
    const [ticket] = zoho.tickets();
    // The search by key answered "nothing" (204); the contact's list and the ticket read found it.
    expect(zoho.requestsTo('/api/v1/tickets/search').length).toBeGreaterThanOrEqual(1);
    expect(zoho.requestsTo('/api/v1/tickets/search').every((r) => r.status === 204)).toBe(true);
    const listed = zoho.requestsTo(`/api/v1/contacts/${ticket!.contactId}/tickets`, 'GET');
    expect(listed.map((r) => r.status)).toEqual([200]);
    expect(listed[0]!.query).toEqual({ sortBy: '-createdTime', limit: '5' });
    expect(zoho.requestsTo(`/api/v1/tickets/${ticket!.id}`, 'GET').map((r) => r.status)).toEqual([200]);
    const job = await context.producers.tickets.queue.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ ticketNumber: ticket!.ticketNumber, duplicate: true });
    // The customer is told that ticket's number, once.
    const notice = (await context.producers.outbound.queue.getJob(jobIds.outbound(request.correlationId, 'ticket')))
      ?.data as OutboundMessage;
    expect(notice.content.kind === 'text' && notice.content.body).toContain(ticket!.ticketNumber);
  });

  test("a queued request's phone is normalised before the contact lookup; a phone that is no number fails once, naming the field", async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const context = replica(shared);
    const existing = zoho.addContact({ lastName: 'Ana', mobile: '573001234567' });
    const spaced = await enqueue(context, ticketRequest({ contact: { phone: '+57 300 123 4567', name: 'Ana' } }));
    expect(await settled(context, spaced)).toBe('completed');
    expect(zoho.contacts()).toHaveLength(1);
    expect(zoho.tickets()[0]?.contactId).toBe(existing.id);
    expect(zoho.requestsTo('/api/v1/contacts/search')[0]?.query).toEqual({ mobile: '573001234567', limit: '1' });

    const bad = await enqueue(context, ticketRequest({ contact: { phone: 'sin número' } }));
    expect(await settled(context, bad)).toBe('failed');
    const job = await context.producers.tickets.queue.getJob(bad);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^invalid_payload: contact\.phone is not a phone number/);
    expect(zoho.tickets()).toHaveLength(1);
  });

  test('a create that hangs past its deadline is searched for on the next attempt before posting again', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const context = replica(shared, { crmDeadlineMs: 300 });
    // Warm up token and contact so the hang meets the create itself.
    const warm = await enqueue(context, ticketRequest());
    expect(await settled(context, warm)).toBe('completed');
    const createsBefore = zoho.requestsTo('/api/v1/tickets', 'POST').length;
    const searchesBefore = zoho.requestsTo('/api/v1/tickets/search').length;

    // The hang meets the job's first Desk call; with a known contact id that is the create.
    zoho.setMode('hang', { times: 1 });
    const contactId = zoho.contacts()[0]!.id;
    const request = ticketRequest({ contact: { contactId } });
    const jobId = await enqueue(context, request);
    expect(await settled(context, jobId)).toBe('completed');
    expect(zoho.tickets().filter((t) => t.cf.cf_idempotency_key === request.idempotencyKey)).toHaveLength(1);
    // The hung create was never stored; the retry searched by key (attempted mark), then created.
    expect(zoho.requestsTo('/api/v1/tickets', 'POST').length - createsBefore).toBe(2);
    expect(zoho.requestsTo('/api/v1/tickets/search').length - searchesBefore).toBeGreaterThanOrEqual(2);
  });

  test('the same request delivered twice, and a job run again, still make one ticket', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const context = replica(shared);
    const request = ticketRequest();
    const jobId = await enqueue(context, request);
    expect((await context.producers.tickets.add(request, { jobId, reportDuplicate: true })).duplicate).toBe(true);
    expect(await settled(context, jobId)).toBe('completed');
    // An operator (or a bug) enqueues the same key under another job id.
    const again = await enqueue(context, { ...request, correlationId: `${request.correlationId}-again` });
    expect(await settled(context, again)).toBe('completed');
    expect(zoho.tickets()).toHaveLength(1);
    const job = await context.producers.tickets.queue.getJob(again);
    expect(job?.returnvalue).toMatchObject({ duplicate: true });
  });

  test('the ticket carries the mapped priority, category, department, contact and rendered findings', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const context = replica(shared);
    const existing = zoho.addContact({ lastName: 'Pérez', mobile: '+573001112233' });
    const request = ticketRequest({
      priority: 'urgent',
      category: 'connectivity',
      departmentId: zoho.departments[1]!.id,
      replyTo: {
        channel: 'group',
        chatId: '120363001234567890@g.us',
        mention: '573005556677@s.whatsapp.net',
        language: 'en',
      },
      channel: 'group',
      findings: {
        correlationId: 'wamid.x',
        status: 'down',
        checks: [
          {
            name: 'pppoe_session',
            result: 'fail',
            finding: 'No PPPoE session for the customer',
            data: { lastSeenMinutes: 42 },
          },
          { name: 'ping', result: 'skipped', finding: 'Not run: no session' },
        ],
        summary: { es: 'El servicio está caído', en: 'The service is down' },
        router: 'core-1',
        startedAt: '2025-01-01T10:00:00Z',
        finishedAt: '2025-01-01T10:00:03Z',
      },
    });
    const jobId = await enqueue(context, request);
    expect(await settled(context, jobId)).toBe('completed');
    const [ticket] = zoho.tickets();
    expect(ticket).toMatchObject({
      priority: 'Urgent',
      category: 'connectivity',
      channel: 'Chat',
      departmentId: zoho.departments[1]!.id,
      contactId: existing.id,
      cf: { cf_idempotency_key: request.idempotencyKey },
    });
    expect(zoho.contacts()).toHaveLength(1);
    expect(ticket!.description).toContain('El cliente reporta que no tiene servicio.');
    expect(ticket!.description).toContain('— Automatic diagnosis —');
    expect(ticket!.description).toContain('Summary: The service is down');
    expect(ticket!.description).toContain(
      '• pppoe_session: FAIL — No PPPoE session for the customer (lastSeenMinutes 42)',
    );
    expect(ticket!.description).toContain('Router: core-1');

    const notice = (await context.producers.outbound.queue.getJob(jobIds.outbound(request.correlationId, 'ticket')))
      ?.data as OutboundMessage;
    expect(notice).toMatchObject({
      channel: 'group',
      to: '120363001234567890@g.us',
      mentions: ['573005556677@s.whatsapp.net'],
    });
    expect(notice.content.kind === 'text' && notice.content.body).toBe(
      `@573005556677 the case is open with ticket number ${ticket!.ticketNumber}. The team will look into it and answer here.`,
    );
  });

  test('invalid requests fail once, with their reason, into the failed set', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const context = replica(shared);

    // Refused by Zoho (a department it does not have): no retry, Zoho's reason kept.
    const refused = await enqueue(context, ticketRequest({ departmentId: '999' }));
    // Not even a valid payload (written by hand, past the producer's validation).
    const raw = new Queue(QUEUE_NAMES.tickets, {
      connection: createRedisConnection(bed.redis.url, 'producer'),
      prefix: shared.prefix,
    });
    await raw.add('tickets', { ...ticketRequest(), subject: '' }, { jobId: 'ticket-raw-invalid', attempts: 8 });

    expect(await settled(context, refused)).toBe('failed');
    expect(await settled(context, 'ticket-raw-invalid')).toBe('failed');
    const refusedJob = await context.producers.tickets.queue.getJob(refused);
    expect(refusedJob?.attemptsMade).toBe(1);
    expect(refusedJob?.failedReason).toMatch(
      /^crm_refused: Zoho Desk refused POST \/tickets \(422 INVALID_DATA\).*\/departmentId invalid/,
    );
    const invalidJob = await context.producers.tickets.queue.getJob('ticket-raw-invalid');
    expect(invalidJob?.attemptsMade).toBe(1);
    expect(invalidJob?.failedReason).toContain('subject');
    expect(zoho.requestsTo('/api/v1/tickets', 'POST')).toHaveLength(1);
    expect(zoho.tickets()).toHaveLength(0);
    expect(metricValue(await context.metrics.registry.metrics(), 'helpline_tickets_total', { outcome: 'failed' })).toBe(
      1,
    );
    await raw.close();
  });

  test('past the retry horizon a job fails with the reason; an operator retry after recovery creates it once', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    zoho.setMode('rate_limit');
    const context = replica(shared, { retry: { horizonMs: 600, baseDelayMs: 50, maxDelayMs: 100, jitter: 0 } });
    const request = ticketRequest();
    const jobId = await enqueue(context, request);
    expect(await settled(context, jobId)).toBe('failed');
    const job = await context.producers.tickets.queue.getJob(jobId);
    expect(job?.failedReason).toMatch(/^crm_unavailable: gave up after \d+ attempts over the 0\.6 s retry horizon: /);

    zoho.setMode('normal');
    expect(await retryFailedJobs(context.producers.tickets.queue)).toBe(1);
    expect(await settled(context, jobId)).toBe('completed');
    expect(ticketsPerKey().get(request.idempotencyKey)).toBe(1);
  });

  test('wrong credentials fail the job at once with a message naming the variables', async () => {
    zoho = await bed.startZoho();
    const shared = { prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
    const config = testConfig({ ...zohoEnv(zoho, bed.redis.url), ZOHO_REFRESH_TOKEN: '1000.revoked' });
    const context = contexts.create(config, { ...FAST, ...shared });
    startTicketWorker(context);
    const jobId = await enqueue(context, ticketRequest());
    expect(await settled(context, jobId)).toBe('failed');
    const job = await context.producers.tickets.queue.getJob(jobId);
    expect(job?.failedReason).toContain('invalid_code');
    expect(job?.failedReason).toContain('ZOHO_REFRESH_TOKEN');
    expect(JSON.stringify(job?.failedReason)).not.toContain(zoho.clientSecret);
  });
});
