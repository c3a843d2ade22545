import { jobIds } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import type { FakeZoho } from '@helpline/testkit/zoho';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import type { TicketsContext } from '../src/context.js';
import { startTicketWorker } from '../src/queue/start-ticket-worker.js';
import {
  API_TOKEN,
  FAST,
  metricValue,
  stopTestPostgres,
  testConfig,
  ticketRequest,
  uniquePrefix,
  waitFor,
  zohoEnv,
} from './support/index.js';
import { ticketsTestBed } from './support/test-bed.js';

const bed = ticketsTestBed();
const { contexts } = bed;
let zoho: FakeZoho | undefined;
const apps: HttpApp[] = [];

// Runs before the bed's own: the apps close before their contexts.
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await stopTestPostgres();
});

const auth = { authorization: `Bearer ${API_TOKEN}` };

async function start(env: Record<string, string>): Promise<{ app: HttpApp; context: TicketsContext }> {
  const overrides = { ...FAST, prefix: uniquePrefix(), keyPrefix: uniquePrefix() };
  const context = env.ZOHO_CLIENT_ID
    ? contexts.create(testConfig({ REDIS_URL: bed.redis.url, ...env }), overrides)
    : await contexts.createLocal({ REDIS_URL: bed.redis.url, ...env }, overrides);
  const app = await buildApp(context);
  apps.push(app);
  await app.ready();
  return { app, context };
}

const local = () => start({});
const withZoho = async () => {
  const fake = await bed.startZoho();
  zoho = fake;
  return start(zohoEnv(fake, bed.redis.url));
};

const legacyBody = {
  subject: 'Sin internet en la sede norte',
  description: 'El router no enciende',
  priority: 'High',
  classification: 'connectivity',
  phone: '+573001112233',
  name: 'Sede Norte',
};

/** POST /tickets as staff, with an Idempotency-Key when one is given. */
const postTicket = (app: HttpApp, payload: unknown, idempotencyKey?: string) =>
  app.inject({
    method: 'POST',
    url: '/tickets',
    headers: idempotencyKey ? { ...auth, 'idempotency-key': idempotencyKey } : auth,
    payload: payload as Record<string, unknown>,
  });

describe('operator auth', () => {
  test('every operator route needs the bearer token', async () => {
    const { app } = await local();
    const routes: [string, string][] = [
      ['POST', '/tickets'],
      ['GET', '/tickets/1/status'],
      ['PUT', '/tickets/1/status'],
      ['GET', '/departments'],
      ['POST', '/contacts'],
      ['GET', '/queue'],
      ['POST', '/queue/process'],
    ];
    for (const [method, url] of routes) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: 'Bearer wrong-token-0000000000' },
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });
});

describe('POST /tickets', () => {
  test('local: creates at once and answers the number; the same Idempotency-Key answers the same ticket', async () => {
    const { app } = await local();
    const first = await postTicket(app, legacyBody, 'staff-42');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      state: 'created',
      idempotency_key: 'http-staff-42',
      provider: 'local',
      ticket: { number: '1', status: 'Open', department_id: 'support' },
    });
    const again = await postTicket(app, legacyBody, 'staff-42');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ state: 'existing', ticket: { id: first.json().ticket.id } });
    // Without a key each request is its own ticket, and its generated key is returned.
    const other = await postTicket(app, { ...legacyBody, department_id: 'billing' });
    expect(other.statusCode).toBe(201);
    expect(other.json().idempotency_key).toMatch(/^http-[0-9a-f-]{36}$/);
    expect(other.json().ticket).toMatchObject({ number: '2', department_id: 'billing' });
  });

  test('bad bodies answer 400 naming the field', async () => {
    const { app } = await local();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...legacyBody, subject: undefined }, 'subject'],
      [{ ...legacyBody, subject: '   ' }, 'subject'],
      [{ ...legacyBody, priority: 'whenever' }, 'priority'],
      [{ ...legacyBody, classification: 'gossip' }, 'classification'],
      [{ ...legacyBody, phone: 'call me' }, 'phone'],
      [{ ...legacyBody, phone: undefined }, 'contact_id'],
      [{ ...legacyBody, email: 'not-an-email' }, 'email'],
      [{ ...legacyBody, subject: 'x'.repeat(256) }, 'subject'],
    ];
    for (const [payload, field] of cases) {
      const res = await app.inject({ method: 'POST', url: '/tickets', headers: auth, payload });
      expect(res.statusCode, field).toBe(400);
      expect(res.json().message, field).toContain(field);
    }
    const badKey = await postTicket(app, legacyBody, 'spaces are bad');
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().message).toContain('idempotency-key');
    const notJson = await app.inject({
      method: 'POST',
      url: '/tickets',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"subject":',
    });
    expect(notJson.statusCode).toBe(400);
  });

  test("the CRM's own refusal answers 422 with its message", async () => {
    const { app: localApp } = await local();
    const res = await postTicket(localApp, { ...legacyBody, department_id: 'nowhere' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: 'unprocessable',
      message: 'unknown department nowhere: expected one of support, billing, sales',
    });

    const { app } = await withZoho();
    const refused = await postTicket(app, { ...legacyBody, department_id: '12345' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toMatch(
      /Zoho Desk refused POST \/tickets \(422 INVALID_DATA\).*\/departmentId invalid/,
    );
  });

  test('Zoho: the body existing deployments send becomes a Zoho ticket, answered with its number', async () => {
    const { app, context } = await withZoho();
    const contact = zoho!.addContact({ lastName: 'Norte', phone: '+573001112233' });
    const res = await postTicket(app, {
      ...legacyBody,
      contact_id: contact.id,
      department_id: zoho!.departments[1]!.id,
      priority: 'urgent',
    });
    expect(res.statusCode).toBe(201);
    const [ticket] = zoho!.tickets();
    expect(res.json()).toMatchObject({
      state: 'created',
      provider: 'zoho',
      ticket: { id: ticket!.id, number: ticket!.ticketNumber, status: 'Open' },
    });
    expect(ticket).toMatchObject({
      priority: 'Urgent',
      category: 'connectivity',
      contactId: contact.id,
      departmentId: zoho!.departments[1]!.id,
    });
    expect(ticket!.cf.cf_idempotency_key).toBe(res.json().idempotency_key);
    const text = await context.metrics.registry.metrics();
    expect(metricValue(text, 'helpline_tickets_total', { provider: 'zoho', outcome: 'created' })).toBe(1);
    expect(metricValue(text, 'helpline_zoho_token_refreshes_total', { outcome: 'ok' })).toBe(1);
    expect(
      metricValue(text, 'helpline_crm_request_duration_seconds_count', {
        provider: 'zoho',
        operation: 'create_ticket',
        outcome: 'ok',
      }),
    ).toBe(1);
  });

  test('Zoho down: the request is queued (202) and the job waits in the tickets queue', async () => {
    const { app, context } = await withZoho();
    zoho!.setMode('outage');
    const res = await postTicket(app, legacyBody, 'outage-1');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      state: 'queued',
      idempotency_key: 'http-outage-1',
      job_id: jobIds.ticket('http-outage-1'),
    });
    expect(res.json().message).toContain('503');
    const job = await context.producers.tickets.queue.getJob(jobIds.ticket('http-outage-1'));
    expect(job?.data).toMatchObject({
      idempotencyKey: 'http-outage-1',
      subject: legacyBody.subject,
      priority: 'high',
      category: 'connectivity',
    });
    const queue = await app.inject({ method: 'GET', url: '/queue', headers: auth });
    expect(queue.json()).toMatchObject({ queue: 'tickets', counts: { waiting: 1, failed: 0 } });
  });
});

describe('GET /tickets/:id/status and PUT /tickets/:id/status', () => {
  test('local: reads and changes a status; unknown ids are 404, unknown statuses 422, bad bodies 400', async () => {
    const { app } = await local();
    const created = await postTicket(app, legacyBody);
    const id = created.json().ticket.id;
    expect((await app.inject({ method: 'GET', url: `/tickets/${id}/status`, headers: auth })).json()).toMatchObject({
      id,
      status: 'Open',
    });
    const moved = await app.inject({
      method: 'PUT',
      url: `/tickets/${id}/status`,
      headers: auth,
      payload: { status: 'Closed' },
    });
    expect(moved.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/tickets/${id}/status`, headers: auth })).json().status).toBe(
      'Closed',
    );
    expect((await app.inject({ method: 'GET', url: '/tickets/999/status', headers: auth })).statusCode).toBe(404);
    const unknown = await app.inject({
      method: 'PUT',
      url: `/tickets/${id}/status`,
      headers: auth,
      payload: { status: 'Lost' },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().message).toContain('unknown status Lost');
    const bad = await app.inject({ method: 'PUT', url: `/tickets/${id}/status`, headers: auth, payload: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('status');
    expect(
      (await app.inject({ method: 'PUT', url: '/tickets/999/status', headers: auth, payload: { status: 'Closed' } }))
        .statusCode,
    ).toBe(404);
  });

  test('Zoho: the status comes from Zoho Desk; changing it here is refused (409)', async () => {
    const { app } = await withZoho();
    const created = await postTicket(app, legacyBody);
    const id = created.json().ticket.id;
    zoho!.setTicketStatus(id, 'On Hold');
    const status = await app.inject({ method: 'GET', url: `/tickets/${id}/status`, headers: auth });
    expect(status.json()).toMatchObject({ id, status: 'On Hold', number: created.json().ticket.number });
    expect((await app.inject({ method: 'GET', url: '/tickets/4000000999999/status', headers: auth })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ method: 'GET', url: '/tickets/not-a-number/status', headers: auth })).statusCode).toBe(
      404,
    );
    const put = await app.inject({
      method: 'PUT',
      url: `/tickets/${id}/status`,
      headers: auth,
      payload: { status: 'Closed' },
    });
    expect(put.statusCode).toBe(409);
    zoho!.setMode('outage');
    const down = await app.inject({ method: 'GET', url: `/tickets/${id}/status`, headers: auth });
    expect(down.statusCode).toBe(503);
    expect(down.json().error).toBe('crm_unavailable');
  });
});

describe('GET /departments and POST /contacts', () => {
  test('local: configured departments; contacts found by phone or created', async () => {
    const { app } = await local();
    const departments = await app.inject({ method: 'GET', url: '/departments', headers: auth });
    expect(departments.json()).toEqual({
      provider: 'local',
      departments: [
        { id: 'support', name: 'Soporte técnico', enabled: true },
        { id: 'billing', name: 'Facturación', enabled: true },
        { id: 'sales', name: 'Ventas', enabled: true },
      ],
    });
    const created = await app.inject({
      method: 'POST',
      url: '/contacts',
      headers: auth,
      payload: { name: 'Ana', phone: '+573001112233' },
    });
    expect(created.statusCode).toBe(201);
    const found = await app.inject({
      method: 'POST',
      url: '/contacts',
      headers: auth,
      payload: { phone: '+573001112233' },
    });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual(created.json());
    for (const [payload, field] of [
      [{ name: 'Nobody' }, 'phone'],
      [{ phone: 'abc' }, 'phone'],
      [{ email: 'nope' }, 'email'],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/contacts', headers: auth, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toContain(field);
    }
  });

  test("Zoho: departments and contacts come from Zoho Desk; Zoho's refusals are 422", async () => {
    const { app } = await withZoho();
    const departments = await app.inject({ method: 'GET', url: '/departments', headers: auth });
    expect(departments.json()).toEqual({
      provider: 'zoho',
      departments: zoho!.departments.map((d) => ({ id: d.id, name: d.name, enabled: d.isEnabled })),
    });
    const created = await app.inject({
      method: 'POST',
      url: '/contacts',
      headers: auth,
      payload: { name: 'Ana María Pérez', phone: '+573001112233' },
    });
    expect(created.statusCode).toBe(201);
    expect(zoho!.contacts()[0]).toMatchObject({ firstName: 'Ana María', lastName: 'Pérez', mobile: '573001112233' });
    const found = await app.inject({
      method: 'POST',
      url: '/contacts',
      headers: auth,
      payload: { phone: '+573001112233' },
    });
    expect(found.statusCode).toBe(200);
    expect(found.json().id).toBe(created.json().id);
    zoho!.setMode('rate_limit');
    const limited = await app.inject({ method: 'GET', url: '/departments', headers: auth });
    expect(limited.statusCode).toBe(503);
    expect(limited.json().message).toContain('429');
  });
});

describe('phone numbers', () => {
  const samePerson = ['+57 300 123 4567', '573001234567', '+57 (300) 123-4567', '57.300.123.4567'];

  for (const [name, open] of [
    ['local', local],
    ['Zoho', withZoho],
  ] as const) {
    test(`${name}: "+57 300 123 4567" and "573001234567" are one contact, for POST /contacts and POST /tickets alike`, async () => {
      const { app, context } = await open();
      const created = await app.inject({
        method: 'POST',
        url: '/contacts',
        headers: auth,
        payload: { name: 'Ana', phone: samePerson[0] },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json().phone).toBe('573001234567');
      for (const phone of samePerson.slice(1)) {
        const found = await app.inject({ method: 'POST', url: '/contacts', headers: auth, payload: { phone } });
        expect(found.statusCode, phone).toBe(200);
        expect(found.json().id, phone).toBe(created.json().id);
      }
      expect((await context.crm.findContactByPhone('573001234567'))?.id).toBe(created.json().id);

      const ticket = await postTicket(app, { ...legacyBody, phone: '+57 300-123-4567' });
      expect(ticket.statusCode).toBe(201);
      if (name === 'Zoho') {
        expect(zoho!.contacts()).toHaveLength(1);
        expect(zoho!.contacts()[0]).toMatchObject({ mobile: '573001234567' });
        expect(zoho!.tickets()[0]?.contactId).toBe(created.json().id);
      } else {
        expect(await context.crm.createContact({ phone: '573001234567' })).toMatchObject({ id: created.json().id });
      }
    });
  }

  test('a phone that is not an international number answers 400 naming the field', async () => {
    const { app } = await local();
    for (const phone of ['0300 123 4567', '+57 300', '+57 300 123 4567 8901 2345', '+57 300 abc']) {
      for (const [url, payload] of [
        ['/contacts', { phone }],
        ['/tickets', { ...legacyBody, phone }],
      ] as const) {
        const res = await app.inject({ method: 'POST', url, headers: auth, payload });
        expect(res.statusCode, `${url} ${phone}`).toBe(400);
        expect(res.json().message, `${url} ${phone}`).toContain('phone');
      }
    }
  });
});

describe('GET /queue and POST /queue/process', () => {
  test('counts jobs by state; retries every failed job now', async () => {
    const { app, context } = await local();
    const queue = context.producers.tickets.queue;
    // Two dead letters: requests the store refused, failed at once.
    const worker = startTicketWorker(context);
    for (const request of [ticketRequest({ departmentId: 'nowhere' }), ticketRequest({ departmentId: 'nowhere' })]) {
      await context.producers.tickets.add(request, { jobId: jobIds.ticket(request.correlationId) });
    }
    await waitFor(async () => (await queue.getFailedCount()) === 2 || undefined, 10_000, 'two failed jobs');
    await worker.close();

    const before = await app.inject({ method: 'GET', url: '/queue', headers: auth });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({
      queue: 'tickets',
      counts: { waiting: 0, prioritized: 0, active: 0, delayed: 0, failed: 2, completed: 0 },
    });
    const processed = await app.inject({ method: 'POST', url: '/queue/process', headers: auth });
    expect(processed.json()).toEqual({ retried: 2 });
    const after = await app.inject({ method: 'GET', url: '/queue', headers: auth });
    expect(after.json().counts).toMatchObject({ waiting: 2, failed: 0 });
    expect((await app.inject({ method: 'POST', url: '/queue/process', headers: auth })).json()).toEqual({ retried: 0 });
  });
});

describe('health and metrics', () => {
  test('local without Zoho is degraded and names the variables; Zoho with an open breaker is degraded', async () => {
    const { app } = await local();
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'degraded',
      checks: { redis: { status: 'ok' }, crm: { status: 'degraded' } },
    });
    expect(health.json().checks.crm.message).toContain('ZOHO_CLIENT_ID');

    const zohoStarted = await withZoho();
    expect((await zohoStarted.app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ status: 'ok' });
    zoho!.setMode('outage');
    for (let i = 0; i < 3; i++) await zohoStarted.app.inject({ method: 'GET', url: '/departments', headers: auth });
    const open = (await zohoStarted.app.inject({ method: 'GET', url: '/health' })).json();
    expect(open).toMatchObject({
      status: 'degraded',
      checks: { crm: { status: 'degraded', details: { breaker: 'open' } } },
    });
    const metrics = await zohoStarted.app.inject({ method: 'GET', url: '/metrics' });
    expect(metricValue(metrics.body, 'helpline_circuit_state', { breaker: 'zoho' })).toBe(2);
    expect(metricValue(metrics.body, 'helpline_queue_jobs', { queue: 'tickets', state: 'waiting' })).toBe(0);
    // Nothing personal in the labels.
    expect(metrics.body).not.toContain('573001112233');
  });
});

describe('erasure of a customer (local store)', () => {
  test("DELETE /contacts/:phone clears the contact and its tickets' text, keeps numbers; Zoho answers 409", async () => {
    const { app, context } = await local();
    const open = (phone: string, subject: string) => postTicket(app, { ...legacyBody, subject, phone }, uniquePrefix());
    expect((await open('+57 300 111 2233', 'Sin internet en casa de Ana')).statusCode).toBe(201);
    expect((await open('573001112233', 'Otra vez sin internet')).statusCode).toBe(201);
    expect((await open('573009998877', 'Cliente que se queda')).statusCode).toBe(201);

    const res = await app.inject({ method: 'DELETE', url: '/contacts/+57%20300%20111%202233', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ erased: { contacts: 1, tickets: 2 } });

    const { rows } = await context.database!.query<{ id: string; subject: string; phone: string | null }>(
      `SELECT t.id::text AS id, t.subject, c.phone FROM tickets t JOIN contacts c ON c.id = t.contact_id ORDER BY t.id`,
    );
    expect(rows).toEqual([
      { id: '1', subject: '[erased]', phone: null },
      { id: '2', subject: '[erased]', phone: null },
      { id: '3', subject: 'Cliente que se queda', phone: '573009998877' },
    ]);
    const erased = await context.database!.query('SELECT name, email FROM contacts WHERE erased_at IS NOT NULL');
    expect(erased.rows).toEqual([{ name: null, email: null }]);
    // The ticket itself stays, for the figures.
    const status = await app.inject({ method: 'GET', url: '/tickets/1/status', headers: auth });
    expect(status.json()).toMatchObject({ number: '1' });
    // Erasing again finds nothing; a bad phone is a 400 naming it.
    expect((await app.inject({ method: 'DELETE', url: '/contacts/573001112233', headers: auth })).json()).toEqual({
      erased: { contacts: 0, tickets: 0 },
    });
    const bad = await app.inject({ method: 'DELETE', url: '/contacts/abc', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('phone');
    expect((await app.inject({ method: 'DELETE', url: '/contacts/573001112233' })).statusCode).toBe(401);

    const { app: zohoApp } = await withZoho();
    const refused = await zohoApp.inject({ method: 'DELETE', url: '/contacts/573001112233', headers: auth });
    expect(refused.statusCode).toBe(409);
  });
});
