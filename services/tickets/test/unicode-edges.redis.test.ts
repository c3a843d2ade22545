import { QUEUE_NAMES } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import type { TicketsContext } from '../src/context.js';
import { startTicketWorker } from '../src/queue/start-ticket-worker.js';
import { API_TOKEN, Contexts, FAST, testConfig, ticketRequest, uniquePrefix, waitFor } from './support.js';

// Ill-formed Unicode at the tickets service's edges: a lone surrogate (a split emoji) in
// customer text is repaired to U+FFFD and stored; in an identifier it is refused with 400
// naming the field; nothing answers 500 and no refused create uses up a ticket number.

let redis: TestRedis;
const contexts = new Contexts();
const apps: HttpApp[] = [];
const queues: Queue[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await contexts.closeAll();
});
afterAll(async () => {
  await redis.stop();
});

const auth = { authorization: `Bearer ${API_TOKEN}` };
const LONE = '\ud83d';
/** Any UTF-16 code units, lone surrogates included. */
const anyString = fc.string({ unit: 'binary', minLength: 0, maxLength: 30 });

async function local(): Promise<{ app: HttpApp; context: TicketsContext; keyPrefix: string }> {
  const keyPrefix = uniquePrefix();
  const context = contexts.create(testConfig({ REDIS_URL: redis.url }), { ...FAST, prefix: uniquePrefix(), keyPrefix });
  const app = await buildApp(context);
  apps.push(app);
  await app.ready();
  return { app, context, keyPrefix };
}

async function storedTickets(context: TicketsContext, keyPrefix: string) {
  const all = await context.redis.commands.hgetall(`${keyPrefix}:local:tickets`);
  return Object.values(all).map((json) => JSON.parse(json) as { number: string; subject: string; description: string });
}

describe('tickets: customer text repaired, identifiers refused', () => {
  test('POST /tickets and POST /contacts with lone surrogates in text store it repaired, numbers in sequence', async () => {
    const { app, context, keyPrefix } = await local();
    const body = { subject: `Sin internet ${LONE}`, description: `Desde ayer${LONE}`, phone: '+573001112233' };
    const first = await app.inject({
      method: 'POST',
      url: '/tickets',
      headers: auth,
      payload: { ...body, name: `Ana ${LONE}` },
    });
    expect(first.statusCode).toBe(201);
    expect(first.json().ticket.number).toBe('1');
    // A create the store refuses (an unknown department) uses up no number.
    const refused = await app.inject({
      method: 'POST',
      url: '/tickets',
      headers: auth,
      payload: { ...body, department_id: 'nowhere' },
    });
    expect(refused.statusCode).toBe(422);
    const second = await app.inject({ method: 'POST', url: '/tickets', headers: auth, payload: body });
    expect(second.json().ticket.number).toBe('2');
    const stored = await storedTickets(context, keyPrefix);
    expect(stored.map((t) => t.subject).sort()).toEqual(['Sin internet \ufffd', 'Sin internet \ufffd']);
    expect(stored[0]?.description.startsWith('Desde ayer\ufffd')).toBe(true);
    const contact = await app.inject({
      method: 'POST',
      url: '/contacts',
      headers: auth,
      payload: { name: `Luis${LONE}`, phone: '+573009998877' },
    });
    expect(contact.statusCode).toBe(201);
    expect(contact.json().name).toBe('Luis\ufffd');
  });

  test('an identifier with a lone surrogate answers 400 naming the field', async () => {
    const { app } = await local();
    const res = await app.inject({
      method: 'POST',
      url: '/tickets',
      headers: auth,
      payload: { subject: 'Sin internet', contact_id: `zoho-1${LONE}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/contact_id: must be well-formed Unicode/);
    const status = await app.inject({
      method: 'GET',
      // The UTF-8 bytes a lone surrogate would have (CESU-8): no client can name it otherwise.
      url: '/tickets/1%ED%A0%BD/status',
      headers: auth,
    });
    expect(status.statusCode).toBe(400);
  });

  test('a ticket job whose text ends in a lone surrogate (an old job, written by hand) is created, not retried forever', async () => {
    const { context, keyPrefix } = await local();
    const raw = new Queue(QUEUE_NAMES.tickets, { connection: context.redis.producer, prefix: context.prefix });
    queues.push(raw);
    startTicketWorker(context);
    const request = ticketRequest({ description: `mi internet no funciona ${LONE}`, subject: `Sin servicio${LONE}` });
    await raw.add(QUEUE_NAMES.tickets, request, { jobId: 'ticket-by-hand', attempts: 3 });
    const state = await waitFor(
      async () => {
        const s = await (await raw.getJob('ticket-by-hand'))?.getState();
        return s === 'completed' || s === 'failed' ? s : undefined;
      },
      20_000,
      'the ticket job to finish',
    );
    expect(state).toBe('completed');
    const stored = await storedTickets(context, keyPrefix);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.description).toContain('mi internet no funciona \ufffd');
    expect(stored[0]?.subject).toBe('Sin servicio\ufffd');
  });

  test('property: arbitrary strings at POST /tickets and POST /contacts never answer 500; text round-trips repaired, identifiers refused', async () => {
    const { app } = await local();
    await fc.assert(
      fc.asyncProperty(anyString, anyString, anyString, async (subject, name, contactId) => {
        const res = await app.inject({
          method: 'POST',
          url: '/tickets',
          headers: auth,
          payload: {
            subject: `s${subject}`,
            description: subject,
            name: `n${name}`,
            phone: '+573001112233',
            contact_id: `c${contactId}`,
          },
        });
        expect(res.statusCode).toBeLessThan(500);
        if (!`c${contactId}`.isWellFormed()) {
          expect(res.statusCode).toBe(400);
          expect(res.json().message).toContain('contact_id');
        } else if (res.statusCode === 201) {
          expect(res.json().ticket.number).toMatch(/^\d+$/);
        }
        const contact = await app.inject({
          method: 'POST',
          url: '/contacts',
          headers: auth,
          payload: { name: `n${name}`, email: 'a@example.com' },
        });
        expect(contact.statusCode).toBeLessThan(500);
        if (contact.statusCode === 201) expect(contact.json().name).toBe(`n${name}`.toWellFormed().trim());
      }),
      { numRuns: 60 },
    );
  });
});
