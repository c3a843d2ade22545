import {
  ConversationEvent as ConversationEventSchema,
  conversationStreamKey,
  jobIds,
  type OutboundMessage,
} from '@helpline/contracts';
import { startEmbeddedPostgres } from '@helpline/embedded-postgres';
import { createServer } from 'node:net';
import { createDatabase, createMetrics, createRedisConnection } from '@helpline/runtime';
import { startTestPostgres, startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS_DIR } from '../src/context.js';
import { CrmAmbiguousError, CrmRefusedError, CrmUnavailableError, isRetryableCrmError } from '../src/crm/crm-errors.js';
import { buildApp } from '../src/app.js';
import type { CrmAdapter } from '../src/crm/crm-adapter.js';
import { createLocalCrm, parseLocalDepartments } from '../src/crm/local/local-crm.js';
import { prepareLocalStore } from '../src/crm/local/prepare-local-store.js';
import { startTicketWorker } from '../src/queue/start-ticket-worker.js';
import type { TicketJobResult } from '../src/queue/ticket-job-handler.js';
import {
  API_TOKEN,
  Contexts,
  FAST,
  stopTestPostgres,
  testConfig,
  testDatabaseUrl,
  silentLogger,
  ticketRequest,
  uniquePrefix,
  waitFor,
} from './support/index.js';

/** A port nothing listens on (taken and released at once). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
import { seedLegacyRedis } from './support/legacy-redis-store.js';

let redis: TestRedis;
const contexts = new Contexts();

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await contexts.closeAll();
});
afterAll(async () => {
  await redis.stop();
  await stopTestPostgres();
});

const localContext = (env: Record<string, string> = {}) =>
  contexts.createLocal(
    { REDIS_URL: redis.url, ...env },
    { ...FAST, prefix: uniquePrefix(), keyPrefix: uniquePrefix() },
  );

describe('local ticket store', () => {
  test('is the default with no Zoho variables, and says so', async () => {
    const context = await localContext();
    expect(context.crm.provider).toBe('local');
    expect(context.crmSettings).toMatchObject({ provider: 'local', notice: expect.stringContaining('ZOHO_CLIENT_ID') });
    expect(context.breaker).toBeUndefined();
  });

  test('the worker numbers tickets in sequence, one per key, and tells the customer the number', async () => {
    const context = await localContext();
    startTicketWorker(context);
    const requests = [
      ticketRequest(),
      ticketRequest(),
      ticketRequest({ replyTo: { channel: 'cloud', chatId: '573009990000', language: 'en' } }),
    ];
    const jobIdsAdded: string[] = [];
    for (const r of requests) {
      jobIdsAdded.push((await context.producers.tickets.add(r, { jobId: jobIds.ticket(r.correlationId) })).jobId);
    }
    // The first request again under another job id: same key, same ticket.
    const again = { ...requests[0]!, correlationId: `${requests[0]!.correlationId}-again` };
    jobIdsAdded.push((await context.producers.tickets.add(again, { jobId: jobIds.ticket(again.correlationId) })).jobId);

    const results: TicketJobResult[] = [];
    for (const id of jobIdsAdded) {
      results.push(
        await waitFor(
          async () => {
            const job = await context.producers.tickets.queue.getJob(id);
            return (job?.returnvalue as TicketJobResult | null) ?? undefined;
          },
          10_000,
          `job ${id}`,
        ),
      );
    }
    const numbers = results.map((r) => r.ticketNumber);
    // Jobs may run in any order (concurrency 4), but the numbers are 1..3 and the repeat shares one.
    expect(new Set(numbers.slice(0, 3))).toEqual(new Set(['1', '2', '3']));
    expect(numbers[3]).toBe(numbers[0]);
    expect(results[3]).toMatchObject({ duplicate: true, provider: 'local' });

    const notice = (
      await context.producers.outbound.queue.getJob(jobIds.outbound(requests[2]!.correlationId, 'ticket'))
    )?.data as OutboundMessage;
    expect(notice.to).toBe('573009990000');
    expect(notice.content.kind === 'text' && notice.content.body).toBe(
      `We have opened your case with ticket number ${numbers[2]}. Our team will look into it and write to you here.`,
    );
  });

  test('the desk is told: a ticket opened for the chat, then closed by staff (the conversation event stream)', async () => {
    const context = await localContext();
    startTicketWorker(context);
    const request = ticketRequest({ replyTo: { channel: 'cloud', chatId: '573001112233', language: 'es' } });
    const { jobId } = await context.producers.tickets.add(request, { jobId: jobIds.ticket(request.correlationId) });
    const result = await waitFor(
      async () =>
        ((await context.producers.tickets.queue.getJob(jobId))?.returnvalue as TicketJobResult | null) ?? undefined,
      10_000,
      'the ticket',
    );
    const stream = conversationStreamKey(context.prefix);
    const read = async () =>
      (await context.redis('commands').xrange(stream, '-', '+')).map(([, fields]) =>
        ConversationEventSchema.parse(JSON.parse(fields[1] as string)),
      );
    expect(await read()).toEqual([
      expect.objectContaining({
        type: 'ticket_opened',
        id: `ticket:${result.ticketId}:opened`,
        channel: 'cloud',
        chatId: '573001112233',
        ticket: { id: result.ticketId, number: result.ticketNumber, status: 'Open', provider: 'local' },
      }),
    ]);
    const app = await buildApp(context);
    try {
      const put = (status: string) =>
        app.inject({
          method: 'PUT',
          url: `/tickets/${result.ticketId}/status`,
          headers: { authorization: `Bearer ${API_TOKEN}` },
          payload: { status },
        });
      expect((await put('In Progress')).statusCode).toBe(200);
      expect((await put('Closed')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
    const statuses = (await read()).filter((e) => e.type === 'ticket_status');
    expect(statuses.map((e) => e.type === 'ticket_status' && [e.chatId, e.ticket.status, e.ticket.open])).toEqual([
      ['573001112233', 'In Progress', true],
      ['573001112233', 'Closed', false],
    ]);
  });

  test('contacts are one per phone; departments and statuses come from configuration', async () => {
    const context = await localContext({
      LOCAL_TICKET_DEPARTMENTS: 'net:Redes,Facturación y Cobros',
      LOCAL_TICKET_STATUSES: 'Abierto,Cerrado',
    });
    const crm = context.localCrm!;
    expect(await crm.listDepartments()).toEqual([
      { id: 'net', name: 'Redes', enabled: true },
      { id: 'facturacion-y-cobros', name: 'Facturación y Cobros', enabled: true },
    ]);
    const first = await crm.createContact({ name: 'Ana', phone: '+573001112233' });
    const second = await crm.createContact({ name: 'Ana P.', phone: '+573001112233' });
    expect(second.id).toBe(first.id);
    expect(await crm.findContactByPhone('+573001112233')).toMatchObject({ id: first.id, name: 'Ana' });
    expect(await crm.findContactByPhone('+570000000000')).toBeUndefined();

    const ticket = await crm.createTicket({
      idempotencyKey: 'k-1',
      subject: 'Factura duplicada',
      description: 'Cobro doble',
      priority: 'medium',
      category: 'billing',
      channel: 'cloud',
      contactId: first.id,
    });
    expect(ticket).toMatchObject({ number: '1', status: 'Abierto', departmentId: 'net' });
    expect(await crm.findTicketByIdempotencyKey('k-1')).toEqual(ticket);
    expect(await crm.findTicketByIdempotencyKey('k-unknown')).toBeUndefined();
    expect(await crm.updateStatus(ticket.id, 'Cerrado')).toMatchObject({ status: 'Cerrado' });
    expect((await crm.getTicket(ticket.id))?.status).toBe('Cerrado');
    await expect(crm.updateStatus(ticket.id, 'Perdido')).rejects.toThrow(
      /unknown status Perdido: expected one of Abierto, Cerrado/,
    );
    expect(await crm.updateStatus('999', 'Cerrado')).toBeUndefined();
    expect(await crm.getTicket('999')).toBeUndefined();

    const refusal = crm.createTicket({
      idempotencyKey: 'k-2',
      subject: 's',
      description: '',
      priority: 'low',
      category: 'other',
      channel: 'cloud',
      contactId: first.id,
      departmentId: 'nowhere',
    });
    await expect(refusal).rejects.toBeInstanceOf(CrmRefusedError);
    await expect(
      crm.createTicket({
        idempotencyKey: 'k-3',
        subject: 's',
        description: '',
        priority: 'low',
        category: 'other',
        channel: 'cloud',
        contactId: 'C999',
      }),
    ).rejects.toThrow('unknown contact C999');
  });

  test('concurrent creates with one key make one ticket', async () => {
    const context = await localContext();
    const crm = context.localCrm!;
    const contact = await crm.createContact({ phone: '+573001112233' });
    const create = () =>
      crm.createTicket({
        idempotencyKey: 'same',
        subject: 's',
        description: '',
        priority: 'low',
        category: 'other',
        channel: 'cloud',
        contactId: contact.id,
      });
    const tickets = await Promise.all(Array.from({ length: 10 }, create));
    expect(new Set(tickets.map((t) => t.id)).size).toBe(1);
    const other = await crm.createTicket({
      idempotencyKey: 'other',
      subject: 's',
      description: '',
      priority: 'low',
      category: 'other',
      channel: 'cloud',
      contactId: contact.id,
    });
    expect(other.number).toBe('2');
  });

  test('a request for an unknown department fails once, with the reason', async () => {
    const context = await localContext();
    startTicketWorker(context);
    const request = ticketRequest({ departmentId: 'nowhere' });
    const jobId = jobIds.ticket(request.correlationId);
    await context.producers.tickets.add(request, { jobId });
    const job = await waitFor(
      async () => {
        const j = await context.producers.tickets.queue.getJob(jobId);
        return j?.failedReason ? j : undefined;
      },
      10_000,
      'the job to fail',
    );
    expect(job.failedReason).toBe('crm_refused: unknown department nowhere: expected one of support, billing, sales');
    expect(job.attemptsMade).toBe(1);
  });

  test('LOCAL_TICKET_DEPARTMENTS entries without ids get readable ones', () => {
    expect(parseLocalDepartments(['Soporte Técnico', 'x:Ventas '])).toEqual([
      { id: 'soporte-tecnico', name: 'Soporte Técnico', enabled: true },
      { id: 'x', name: 'Ventas', enabled: true },
    ]);
  });
});

const newTicket = (crm: CrmAdapter, contactId: string, idempotencyKey: string, subject = 's') =>
  crm.createTicket({
    idempotencyKey,
    subject,
    description: 'd',
    priority: 'low',
    category: 'other',
    channel: 'cloud',
    contactId,
  });

describe('local store in PostgreSQL', () => {
  test('without DATABASE_URL the local store refuses to start, naming the variable', () => {
    expect(() => testConfig({ REDIS_URL: redis.url })).toThrow(/DATABASE_URL.*required for the local ticket store/s);
    // Zoho needs no database.
    expect(() =>
      testConfig({
        REDIS_URL: redis.url,
        ZOHO_CLIENT_ID: 'id',
        ZOHO_CLIENT_SECRET: 'secret',
        ZOHO_REFRESH_TOKEN: 'refresh',
        ZOHO_ORG_ID: '1',
        ZOHO_DEPARTMENT_ID: '2',
      }),
    ).not.toThrow();
  });

  test('two replicas creating at once number 1..n with no gap and no number twice; one key, one ticket', async () => {
    const url = await testDatabaseUrl();
    const shared = { REDIS_URL: redis.url, DATABASE_URL: url };
    const a = await contexts.createLocal(shared, { ...FAST, prefix: uniquePrefix(), keyPrefix: uniquePrefix() });
    const b = await contexts.createLocal(shared, { ...FAST, prefix: uniquePrefix(), keyPrefix: uniquePrefix() });
    const contact = await a.localCrm!.createContact({ phone: '573001112233' });
    const tickets = await Promise.all(
      Array.from({ length: 30 }, (_, i) => newTicket((i % 2 ? a : b).localCrm!, contact.id, `key-${i % 20}`)),
    );
    const byKey = new Map<string, Set<string>>();
    tickets.forEach((t, i) => {
      const key = `key-${i % 20}`;
      byKey.set(key, (byKey.get(key) ?? new Set()).add(t.number));
    });
    expect([...byKey.values()].every((numbers) => numbers.size === 1)).toBe(true);
    const numbers = [...byKey.values()].map((n) => Number([...n][0])).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const { rows } = await a.database!.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets');
    expect(rows[0]?.n).toBe(20);
  });

  test('ill-formed text (a lone surrogate, a NUL) still makes the ticket and the contact', async () => {
    const context = await localContext();
    const crm = context.localCrm!;
    const contact = await crm.createContact({ name: 'Ana \uD83D', phone: '573001112233' });
    const ticket = await crm.createTicket({
      idempotencyKey: 'key-\uDE00',
      subject: 'Sin servicio \uD83D',
      description: 'texto\u0000con nulo \uDE00',
      priority: 'low',
      category: 'other',
      channel: 'cloud',
      contactId: contact.id,
    });
    expect(ticket.number).toBe('1');
    expect(await crm.findTicketByIdempotencyKey('key-\uDE00')).toEqual(ticket);
    const { rows } = await context.database!.query<{ subject: string; description: string }>(
      'SELECT subject, description FROM tickets WHERE id = $1',
      [ticket.id],
    );
    expect(rows[0]).toEqual({ subject: 'Sin servicio \uFFFD', description: 'texto\uFFFDcon nulo \uFFFD' });
    expect((await crm.findContactByPhone('573001112233'))?.name).toBe('Ana \uFFFD');
  });

  test('ids that are not ticket numbers find nothing (and reach no SQL cast)', async () => {
    const context = await localContext();
    const crm = context.localCrm!;
    for (const id of ['abc', '0', '-1', '1; DROP TABLE tickets', '99999999999999999999']) {
      expect(await crm.getTicket(id)).toBeUndefined();
      expect(await crm.updateStatus(id, 'Closed')).toBeUndefined();
    }
  });

  test('PostgreSQL away: writes are ambiguous and reads unavailable, so jobs retry over the horizon', async () => {
    const dead = createDatabase({
      url: `postgres://postgres@127.0.0.1:${await closedPort()}/tickets`,
      schema: 'tickets',
      migrationsDir: MIGRATIONS_DIR,
      service: 'tickets',
      logger: silentLogger(),
      registry: createMetrics('tickets').registry,
      connectRetryMs: 300,
    });
    try {
      const crm = createLocalCrm({
        database: dead,
        departments: parseLocalDepartments(['support']),
        statuses: ['Open'],
      });
      await expect(newTicket(crm, 'C1', 'k')).rejects.toBeInstanceOf(CrmAmbiguousError);
      await expect(crm.createContact({ phone: '573001112233' })).rejects.toBeInstanceOf(CrmAmbiguousError);
      const read = crm.findTicketByIdempotencyKey('k');
      await expect(read).rejects.toBeInstanceOf(CrmUnavailableError);
      await expect(read).rejects.not.toBeInstanceOf(CrmAmbiguousError);
      expect(isRetryableCrmError(await crm.getTicket('1').catch((e: unknown) => e))).toBe(true);
    } finally {
      await dead.close();
    }
  });

  test('/health reports the database', async () => {
    const context = await localContext();
    const app = await buildApp(context);
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.json().checks.database).toMatchObject({ status: 'ok', details: { schema: 'tickets' } });
    } finally {
      await app.close();
    }
  });
});

describe('tickets of the Redis store', () => {
  test('are moved at start, once, keeping numbers; new tickets continue after them', async () => {
    const keyPrefix = uniquePrefix();
    const commands = createRedisConnection(redis.url, 'worker');
    try {
      await seedLegacyRedis(commands, keyPrefix);
      const url = await testDatabaseUrl();
      const env = { REDIS_URL: redis.url, DATABASE_URL: url };
      // Two replicas start at once: one moves the tickets, the other finds them moved.
      const [a, b] = await Promise.all([
        contexts.createLocal(env, { ...FAST, prefix: uniquePrefix(), keyPrefix }),
        contexts.createLocal(env, { ...FAST, prefix: uniquePrefix(), keyPrefix }),
      ]);
      const crm = a.localCrm!;
      expect(await crm.findTicketByIdempotencyKey('key-a')).toEqual({
        id: '1',
        number: '1',
        status: 'Open',
        departmentId: 'support',
      });
      expect(await crm.findTicketByIdempotencyKey('key-b')).toMatchObject({ number: '2', status: 'Closed' });
      expect(await crm.findTicketByIdempotencyKey('key-c')).toMatchObject({ number: '3', departmentId: 'retired' });
      expect(await b.localCrm!.getTicket('5')).toMatchObject({ number: '5' });
      expect(await crm.findContactByPhone('573001112233')).toMatchObject({ id: 'C1', name: 'Ana María Pérez' });

      // The same key again is the same ticket; a new key is numbered after the highest.
      expect((await newTicket(crm, 'C1', 'key-a')).number).toBe('1');
      expect((await newTicket(b.localCrm!, 'C1', 'key-new')).number).toBe('6');
      expect((await crm.createContact({ phone: '573009998877' })).id).toBe('C4');

      const db = a.database!;
      const counts = await db.query<{ tickets: number; contacts: number; imports: number; retired: boolean }>(
        `SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM contacts) AS contacts,
                (SELECT count(*)::int FROM redis_import) AS imports,
                (SELECT enabled FROM departments WHERE id = 'retired') AS retired`,
      );
      expect(counts.rows[0]).toEqual({ tickets: 5, contacts: 4, imports: 1, retired: false });

      // A later start imports nothing again, even with the Redis keys still there.
      const again = await prepareLocalStore({
        database: db,
        redis: commands,
        keyPrefix,
        departments: await crm.listDepartments(),
        logger: a.logger,
      });
      expect(again).toEqual({ imported: false, tickets: 4, contacts: 3 });
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets')).rows[0]?.n).toBe(5);
    } finally {
      await commands.quit();
    }
  });
});

// PGlite compiles its WebAssembly at each start: 5 s idle, 30 s on a loaded machine.
describe('on PGlite (the embedded default of npm start)', { timeout: 120_000 }, () => {
  test('the same migrations, and two replicas numbering tickets through the wire protocol', async () => {
    const embedded = await startEmbeddedPostgres();
    try {
      const env = { REDIS_URL: redis.url, DATABASE_URL: embedded.url };
      const keyPrefix = uniquePrefix();
      const commands = createRedisConnection(redis.url, 'worker');
      await seedLegacyRedis(commands, keyPrefix);
      await commands.quit();
      const [a, b] = await Promise.all([
        contexts.createLocal(env, { ...FAST, prefix: uniquePrefix(), keyPrefix }),
        contexts.createLocal(env, { ...FAST, prefix: uniquePrefix(), keyPrefix }),
      ]);
      const versions = await a.database!.query<{ version: number }>('SELECT version FROM tickets.schema_migrations');
      expect(versions.rows.map((r) => r.version).sort()).toEqual([1, 2, 3]);
      const tickets = await Promise.all(
        Array.from({ length: 12 }, (_, i) => newTicket((i % 2 ? a : b).localCrm!, 'C1', `pglite-${i % 8}`)),
      );
      const distinct = new Set(tickets.map((t) => t.number));
      expect([...distinct].map(Number).sort((x, y) => x - y)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
      expect(await a.localCrm!.findTicketByIdempotencyKey('key-b')).toMatchObject({ number: '2', status: 'Closed' });
    } finally {
      await contexts.closeAll();
      await embedded.stop();
    }
  });
});

describe('PostgreSQL killed under traffic', () => {
  test('every ticket request still makes exactly one ticket, numbered once', async () => {
    const own = await startTestPostgres({ spawn: true });
    try {
      const context = await contexts.createLocal(
        { REDIS_URL: redis.url, DATABASE_URL: await own.createDatabase('tickets_crash') },
        { ...FAST, prefix: uniquePrefix(), keyPrefix: uniquePrefix() },
      );
      startTicketWorker(context);
      const requests = Array.from({ length: 40 }, () => ticketRequest());
      const ids: string[] = [];
      for (const [i, r] of requests.entries()) {
        ids.push((await context.producers.tickets.add(r, { jobId: jobIds.ticket(r.correlationId) })).jobId);
        // The server dies (SIGKILL, as a crash) a quarter of the way in and is back a moment later.
        if (i === 10) {
          await own.kill();
          setTimeout(() => void own.restart(), 700);
        }
      }
      const results = await waitFor(
        async () => {
          const jobs = await Promise.all(ids.map((id) => context.producers.tickets.queue.getJob(id)));
          const values = jobs.map((j) => j?.returnvalue as TicketJobResult | null | undefined);
          return values.every(Boolean) ? (values as TicketJobResult[]) : undefined;
        },
        60_000,
        'every ticket job to complete',
      );
      const numbers = results.map((r) => Number(r.ticketNumber));
      expect(new Set(numbers).size).toBe(40);
      const { rows } = await context.database!.query<{ n: number; keys: number; max: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys, max(id)::int AS max FROM tickets',
      );
      // No ticket lost or doubled, and no number skipped: every create that failed gave its number back.
      expect(rows[0]).toEqual({ n: 40, keys: 40, max: 40 });
    } finally {
      await contexts.closeAll();
      await own.stop();
    }
  });
});
