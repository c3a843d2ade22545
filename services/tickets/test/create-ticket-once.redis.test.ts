import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TicketRequest, type TicketRequestInput } from '@helpline/contracts';
import { createLogger } from '@helpline/runtime';
import type { FakeZoho, FakeZohoOptions } from '@helpline/testkit/zoho';
import { describe, expect, test } from 'vitest';
import type { TicketsContext } from '../src/context.js';
import { TicketBusyError } from '../src/crm/crm-errors.js';
import { createTicketOnce } from '../src/tickets/create-ticket-once.js';
import { openTicket } from '../src/tickets/open-ticket.js';
import { FAST, silentLogger, testConfig, ticketRequest, uniquePrefix, waitFor, zohoEnv } from './support/index.js';
import { ticketsTestBed } from './support/test-bed.js';

const bed = ticketsTestBed();
const { contexts } = bed;
let _zoho: FakeZoho | undefined;

async function zohoContext(
  options: FakeZohoOptions = {},
  crmDeadlineMs = FAST.crmDeadlineMs,
): Promise<{ fake: FakeZoho; context: TicketsContext }> {
  const fake = await bed.startZoho(options);
  _zoho = fake;
  const context = contexts.create(testConfig(zohoEnv(fake, bed.redis.url)), {
    ...FAST,
    crmDeadlineMs,
    prefix: uniquePrefix(),
    keyPrefix: uniquePrefix(),
  });
  return { fake, context };
}

const parse = (input: TicketRequestInput): TicketRequest => TicketRequest.parse(input);

describe('the lock on an idempotency key', () => {
  test('an attempt that outlives the lock TTL keeps the lock: a concurrent attempt for the key does not create', async () => {
    // Every Desk call takes 250 ms: contact search (2), contact create, ticket create > 1 s.
    const { fake, context } = await zohoContext({ latencyMs: 250 });
    const request = parse(ticketRequest());
    const deps = { crm: context.crm, records: context.records, logger: silentLogger(), lockTtlMs: 400 };

    const first = createTicketOnce(request, deps);
    // Well past the first attempt's original TTL, while it is still working.
    await sleep(650);
    await expect(createTicketOnce(request, deps)).rejects.toBeInstanceOf(TicketBusyError);

    const created = await first;
    expect(created.duplicate).toBe(false);
    expect(fake.tickets()).toHaveLength(1);
    expect(fake.contacts()).toHaveLength(1);
    expect(fake.requestsTo('/api/v1/tickets', 'POST')).toHaveLength(1);
    // Released at the end: the key's record answers from now on.
    expect(await context.redis('commands').exists(`${context.keyPrefix}:ticket:lock:${request.idempotencyKey}`)).toBe(
      0,
    );
    expect(await createTicketOnce(request, deps)).toMatchObject({ duplicate: true, ticket: { id: created.ticket.id } });
  });

  test('an attempt whose lock was taken over meanwhile stops before sending a create', async () => {
    const { fake, context } = await zohoContext({ latencyMs: 200 });
    const request = parse(ticketRequest());
    const lockKey = `${context.keyPrefix}:ticket:lock:${request.idempotencyKey}`;
    const attempt = createTicketOnce(request, {
      crm: context.crm,
      records: context.records,
      logger: silentLogger(),
      lockTtlMs: 600,
    });
    // As if our lock had lapsed during a stall and another attempt had taken the key.
    await sleep(150);
    await context.redis('commands').set(lockKey, 'another-attempt', 'PX', 10_000);

    await expect(attempt).rejects.toBeInstanceOf(TicketBusyError);
    expect(fake.requestsTo('/api/v1/tickets', 'POST')).toHaveLength(0);
    expect(fake.tickets()).toHaveLength(0);
    // The other holder's lock is left alone.
    expect(await context.redis('commands').get(lockKey)).toBe('another-attempt');
  });
});

describe('looking the key up when the search index lags', () => {
  test("a later attempt after a create with no answer finds the ticket among the recorded contact's tickets, creating nothing", async () => {
    const { fake, context } = await zohoContext({ searchLagMs: 60_000 });
    const contact = fake.addContact({ lastName: 'Pérez', mobile: '573001112233' });
    const request = parse(ticketRequest({ contact: { phone: '573001112233' } }));
    // An earlier attempt sent its create for this contact, then its worker died: the ticket
    // exists in Desk, the search index does not show it yet, and nothing was recorded.
    const sent = await context.crm.createTicket({
      idempotencyKey: request.idempotencyKey,
      subject: request.subject,
      description: '',
      priority: request.priority,
      category: request.category,
      channel: request.channel,
      contactId: contact.id,
    });
    await context.records.markAttempted(request.idempotencyKey, { contactId: contact.id });
    const postsBefore = fake.requestsTo('/api/v1/tickets', 'POST').length;

    const result = await createTicketOnce(request, {
      crm: context.crm,
      records: context.records,
      logger: silentLogger(),
      lockTtlMs: 5_000,
    });
    expect(result).toEqual({ ticket: sent, duplicate: true });
    expect(fake.tickets()).toHaveLength(1);
    expect(fake.requestsTo('/api/v1/tickets', 'POST')).toHaveLength(postsBefore);
    // The recorded contact was used: no lookup by phone (which the lagging index would miss).
    expect(fake.requestsTo('/api/v1/contacts/search')).toHaveLength(0);
    expect(await context.records.get(request.idempotencyKey)).toEqual(sent);
  });

  test('a later attempt whose earlier create never landed creates the ticket for the recorded contact, not a second contact', async () => {
    const { fake, context } = await zohoContext({ searchLagMs: 60_000 });
    // Created by the earlier attempt a moment ago: a lookup by phone would not see it yet.
    const contact = fake.addContact({ lastName: 'Pérez', mobile: '573001112233' });
    const request = parse(ticketRequest({ contact: { phone: '573001112233' } }));
    await context.records.markAttempted(request.idempotencyKey, { contactId: contact.id });

    const result = await createTicketOnce(request, {
      crm: context.crm,
      records: context.records,
      logger: silentLogger(),
      lockTtlMs: 5_000,
    });
    expect(result.duplicate).toBe(false);
    expect(fake.contacts()).toHaveLength(1);
    expect(fake.tickets()).toEqual([expect.objectContaining({ id: result.ticket.id, contactId: contact.id })]);
    expect(fake.requestsTo('/api/v1/contacts/search')).toHaveLength(0);
  });
});

describe('POST /tickets after its deadline', () => {
  test('a failure of the attempt that outlived the answer is logged with the correlation id and nothing secret', async () => {
    const { fake, context } = await zohoContext({}, 300);
    const contact = fake.addContact({ lastName: 'Ruiz' });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ name: 'tickets-test', level: 'info', destination });
    // The create hangs: the caller gets 202 at 100 ms, the attempt fails at its 300 ms deadline.
    fake.setMode('hang', { times: 1 });
    const request = parse(ticketRequest({ contact: { contactId: contact.id } }));
    const result = await openTicket(
      request,
      {
        crm: context.crm,
        records: context.records,
        lockTtlMs: context.lockTtlMs,
        tickets: context.producers.tickets,
        metrics: context.ticketsMetrics,
        syncDeadlineMs: 100,
      },
      logger,
    );
    expect(result.state).toBe('queued');

    const late = await waitFor(
      async () =>
        lines
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => String(l.msg).includes('failed after the answer')),
      5_000,
      'the late failure to be logged',
    );
    expect(late).toMatchObject({
      level: 40,
      correlationId: request.correlationId,
      error: { name: 'CrmAmbiguousError', message: expect.stringContaining('POST /tickets') },
    });
    const token = await context.redis('commands').get(`${context.keyPrefix}:zoho:token`);
    const all = lines.join('\n');
    for (const secret of [fake.clientSecret, fake.refreshToken, token!]) expect(all).not.toContain(secret);
  });
});
