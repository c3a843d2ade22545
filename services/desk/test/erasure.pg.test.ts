import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type HttpApp, loadConfig } from '@helpline/runtime';
import { freePort, startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// The real services' HTTP apps, from their sources: the gateway and accounts (one world, as
// the accounts tests run them), the tickets service on its local store, the network service.
import { consent, startWorld, text, settle, type World } from '../../accounts/test/support/world.js';
import { buildApp as buildNetworkApp } from '../../network/src/app.js';
import { networkConfigSchema } from '../../network/src/config.js';
import { createContext as createNetworkContext, type NetworkContext } from '../../network/src/context.js';
import { buildApp as buildTicketsApp } from '../../tickets/src/app.js';
import { ticketsConfigSchema } from '../../tickets/src/config.js';
import { createContext as createTicketsContext, type TicketsContext } from '../../tickets/src/context.js';
import { prepareLocalStore } from '../../tickets/src/crm/local/prepare-local-store.js';
import { API_TOKEN, auth, type Desk, startDesk } from './support/desk-harness.js';

// A data-removal request from the desk reaches every store that keeps the person: the
// gateway's Redis, the tickets service's local store, the network service's last reports,
// the accounts service's identity state, receipts and statements, and the archive. One
// service down is named in the answer, the request stays incomplete (listed, counted), and a
// repeat finishes it.

const PHONE = '573007770001';
const CUSTOMER = 'C-77';
const silent = () => createLogger({ name: 'erasure-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let redis: TestRedis;
let postgres: TestPostgres;
let world: World;
let gatewayUrl: string;
let tickets: { context: TicketsContext; app: HttpApp; url: string };
let network: { context: NetworkContext; app: HttpApp; url: string };

async function listen(app: HttpApp): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
  world = await startWorld(redis, postgres);
  gatewayUrl = await listen(world.gatewayApp);

  const ticketsContext = createTicketsContext(
    loadConfig(ticketsConfigSchema, {
      env: {
        API_TOKEN,
        REDIS_URL: redis.url,
        DATABASE_URL: await postgres.createDatabase('tickets'),
        CRM_PROVIDER: 'local',
      },
      envFile: false,
    }),
    { logger: silent(), prefix: world.accounts.prefix },
  );
  await prepareLocalStore({
    database: ticketsContext.database!,
    redis: ticketsContext.redis('commands'),
    keyPrefix: ticketsContext.keyPrefix,
    departments: await ticketsContext.crm.listDepartments(),
    logger: ticketsContext.logger,
  });
  const ticketsApp = await buildTicketsApp(ticketsContext);
  tickets = { context: ticketsContext, app: ticketsApp, url: await listen(ticketsApp) };

  const customersFile = join(mkdtempSync(join(tmpdir(), 'desk-erasure-')), 'customers.json');
  writeFileSync(customersFile, JSON.stringify([{ customerId: CUSTOMER, name: 'Ana', phones: [`+${PHONE}`] }]));
  const networkContext = createNetworkContext(
    networkConfigSchema.parse({ API_TOKEN, REDIS_URL: redis.url, CUSTOMERS_FILE: customersFile }),
    { logger: silent(), redisUrl: redis.url, prefix: world.accounts.prefix },
  );
  const networkApp = await buildNetworkApp(networkContext);
  network = { context: networkContext, app: networkApp, url: await listen(networkApp) };
}, 120_000);

afterAll(async () => {
  await network?.app.close();
  await network?.context.close();
  await tickets?.app.close();
  await tickets?.context.close();
  await world?.stop();
  await postgres?.stop();
  await redis?.stop();
});

async function deskWith(urls: { network?: string } = {}): Promise<Desk> {
  const desk = await startDesk(
    redis.url,
    await postgres.createDatabase('desk_erasure'),
    {
      GATEWAY_URL: gatewayUrl,
      TICKETS_URL: tickets.url,
      NETWORK_URL: urls.network ?? network.url,
      ACCOUNTS_URL: world.accountsUrl,
    },
    { prefix: world.accounts.prefix },
  );
  return desk;
}

/** What each service holds about PHONE, made through its own code. */
async function seedEverywhere(desk: Desk): Promise<void> {
  // The gateway: a consented conversation, archived by the desk.
  await consent(world, PHONE);
  await text(world, PHONE, 'hola, quiero saber mi saldo');
  await settle(world, PHONE);
  await desk.context.consumer.drain();
  // Tickets: a contact and a ticket with the customer's words.
  const contact = await tickets.app.inject({
    method: 'POST',
    url: '/contacts',
    headers: auth,
    payload: { phone: `+${PHONE}`, name: 'Ana Pérez' },
  });
  expect([200, 201]).toContain(contact.statusCode);
  // Network: the last diagnosis report of the phone's customer.
  const claim = await network.context.lastReports.claim(CUSTOMER);
  const now = new Date().toISOString();
  await network.context.lastReports.putAndRelease(claim!, {
    correlationId: 'wamid.diag',
    customerId: CUSTOMER,
    status: 'ok',
    checks: [],
    summary: { es: 'Todo bien', en: 'All good' },
    startedAt: now,
    finishedAt: now,
  });
  // Accounts: a proven document number, a receipt and a statement.
  await world.accounts.identity.prove(PHONE, [CUSTOMER]);
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9, Math.floor(Math.random() * 255)]);
  await world.accounts.receipts.add({
    correlationId: `wamid.r-${Date.now()}`,
    sha256: createHash('sha256').update(bytes).update(String(Math.random())).digest('hex'),
    chatId: PHONE,
    phone: PHONE,
    language: 'es',
    customerId: CUSTOMER,
    mediaId: 'media-1',
    mimeType: 'image/jpeg',
    bytes,
    caption: 'comprobante',
  });
  await world.accounts.documents.save({
    id: world.accounts.documents.idFor(`corr-${Math.random()}`, 'I-1'),
    customerId: CUSTOMER,
    invoiceId: 'I-1',
    mimeType: 'application/pdf',
    filename: 'estado.pdf',
    bytes: Buffer.from('%PDF-1.4'),
  });
}

async function accountsRows(): Promise<{ receipts: number; documents: number; proof: string[] }> {
  const receipts = await world.accounts.db.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM receipts WHERE phone = $1',
    [PHONE],
  );
  const documents = await world.accounts.db.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM documents WHERE customer_id = $1',
    [CUSTOMER],
  );
  return {
    receipts: Number(receipts.rows[0]?.n),
    documents: Number(documents.rows[0]?.n),
    proof: await world.accounts.identity.provenIds(PHONE),
  };
}

describe('erasure across services', () => {
  test('every store erased, named in the answer; a repeat is safe', async () => {
    const desk = await deskWith();
    try {
      await seedEverywhere(desk);
      expect(await accountsRows()).toEqual({ receipts: 1, documents: 1, proof: [CUSTOMER] });
      expect(await network.context.lastReports.get(CUSTOMER)).toBeDefined();

      const res = await desk.app.inject({ method: 'DELETE', url: `/api/conversations/${PHONE}`, headers: auth });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        chatId: PHONE,
        complete: true,
        attempt: 1,
        stores: {
          gateway: { status: 'erased' },
          tickets: { status: 'erased', erased: { contacts: 1 } },
          network: { status: 'erased', erased: { lastReports: 1 } },
          accounts: { status: 'erased', erased: { receipts: 1, documents: 1 } },
          archive: { status: 'erased' },
        },
        consentRecordsKept: 1,
      });
      expect(body.stores.gateway.erased.messages).toBeGreaterThan(0);
      expect(body.stores.archive.erased.messages).toBeGreaterThan(0);
      expect(body.stores.accounts.erased.identityKeys).toBeGreaterThan(0);
      expect(body.customerIds).toContain(CUSTOMER);

      // Each store, asked directly, holds nothing of the person any more.
      expect(await accountsRows()).toEqual({ receipts: 0, documents: 0, proof: [] });
      expect(await network.context.lastReports.get(CUSTOMER)).toBeUndefined();
      const contact = await tickets.context.database!.query<{ phone: string | null; erased_at: Date | null }>(
        'SELECT phone, erased_at FROM contacts',
      );
      expect(contact.rows.every((r) => r.phone === null && r.erased_at !== null)).toBe(true);
      const live = await fetch(`${gatewayUrl}/api/conversations/${PHONE}/messages`, { headers: auth });
      expect(live.status).toBe(404);
      expect(
        (await desk.app.inject({ method: 'GET', url: `/api/conversations/${PHONE}`, headers: auth })).statusCode,
      ).toBe(404);

      // Repeating finds nothing more to erase and still answers complete.
      const again = await desk.app.inject({ method: 'DELETE', url: `/api/conversations/${PHONE}`, headers: auth });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({
        complete: true,
        attempt: 2,
        stores: {
          tickets: { status: 'erased', erased: { contacts: 0 } },
          network: { status: 'erased', erased: { lastReports: 0 } },
          accounts: { status: 'erased', erased: { receipts: 0, documents: 0 } },
        },
      });
      const list = await desk.app.inject({ method: 'GET', url: '/api/erasures?state=complete', headers: auth });
      expect(list.json()).toMatchObject({ total: 1, items: [{ chatId: PHONE, attempts: 2 }] });
    } finally {
      await desk.close();
    }
  }, 60_000);

  test('a service down is named, the request stays incomplete and counted, a repeat finishes it', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const desk = await deskWith({ network: down });
    try {
      await seedEverywhere(desk);
      const res = await desk.app.inject({ method: 'DELETE', url: `/api/conversations/${PHONE}`, headers: auth });
      expect(res.statusCode).toBe(502);
      const body = res.json();
      expect(body.error).toBe('erasure_incomplete');
      expect(body.message).toMatch(/^not erased from network \(did not answer/);
      expect(body.details).toMatchObject({
        complete: false,
        stores: {
          gateway: { status: 'erased' },
          tickets: { status: 'erased' },
          network: { status: 'failed' },
          accounts: { status: 'erased' },
          archive: { status: 'erased' },
        },
      });
      // The network's report is still there: nothing claims it was erased.
      expect(await network.context.lastReports.get(CUSTOMER)).toBeDefined();

      const listed = await desk.app.inject({ method: 'GET', url: '/api/erasures?state=incomplete', headers: auth });
      expect(listed.json()).toMatchObject({ total: 1, items: [{ chatId: PHONE, completedAt: null }] });
      const metrics = await desk.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^helpline_desk_erasures_incomplete\{[^}]*\} 1$/m);

      // The network back (a desk that reaches it, on the same records): the repeat finds the
      // customer id the archive no longer holds, from the incomplete request.
      const fixed = await startDesk(
        redis.url,
        desk.context.config.DATABASE_URL,
        {
          GATEWAY_URL: gatewayUrl,
          TICKETS_URL: tickets.url,
          NETWORK_URL: network.url,
          ACCOUNTS_URL: world.accountsUrl,
        },
        { prefix: world.accounts.prefix },
      );
      try {
        const repeat = await fixed.app.inject({ method: 'DELETE', url: `/api/conversations/${PHONE}`, headers: auth });
        expect(repeat.statusCode, repeat.body).toBe(200);
        expect(repeat.json()).toMatchObject({
          complete: true,
          attempt: 2,
          stores: { network: { status: 'erased', erased: { lastReports: 1 } } },
        });
        expect(await network.context.lastReports.get(CUSTOMER)).toBeUndefined();
        const metricsAfter = await fixed.app.inject({ method: 'GET', url: '/metrics' });
        expect(metricsAfter.body).toMatch(/^helpline_desk_erasures_incomplete\{[^}]*\} 0$/m);
      } finally {
        await fixed.close();
      }
    } finally {
      await desk.close();
    }
  }, 60_000);

  test('the services refuse what is no phone number or customer id, naming it', async () => {
    const bad = await network.app.inject({ method: 'DELETE', url: '/personal-data/abc', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('phone');
    const ids = await world.accountsApp.inject({
      method: 'DELETE',
      url: `/api/personal-data/${PHONE}?customer_ids=${'x'.repeat(80)}`,
      headers: auth,
    });
    expect(ids.statusCode).toBe(400);
    expect(ids.body).toContain('customer_ids');
    const noToken = await world.accountsApp.inject({ method: 'DELETE', url: `/api/personal-data/${PHONE}` });
    expect(noToken.statusCode).toBe(401);
  });

  test('a group chat has no phone: tickets, network and accounts are skipped, said why', async () => {
    const desk = await deskWith();
    try {
      const res = await desk.app.inject({
        method: 'DELETE',
        url: `/api/conversations/${encodeURIComponent('120363000000000001@g.us')}`,
        headers: auth,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().stores).toMatchObject({
        gateway: { status: expect.stringMatching(/erased|nothing/) },
        tickets: { status: 'skipped', reason: expect.stringContaining('group chat') },
        network: { status: 'skipped' },
        accounts: { status: 'skipped' },
        archive: { status: 'erased', erased: { chats: 0 } },
      });
    } finally {
      await desk.close();
    }
  }, 30_000);
});
