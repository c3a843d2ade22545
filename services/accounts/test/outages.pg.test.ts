import { type DiagnosticRequestInput, jobIds, outageTicketKey, type TicketRequest } from '@helpline/contracts';
import { createFileDirectory } from '@helpline/directory';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  metricValue,
  startTestPostgres,
  startTestRedis,
  type TestPostgres,
  type TestRedis,
  waitFor,
} from '@helpline/testkit';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createContext as createNetworkContext, type NetworkContext } from '../../network/src/context.js';
import { startDiagnosticsWorker } from '../../network/src/worker/diagnostics-worker.js';
import { FAST_TUNING, testConfig as networkConfig } from '../../network/test/support/network-config.js';
import { createWindowClient } from '../src/broadcasts/window-client.js';
import { importRecords } from '../src/import/import-records.js';
import { API_TOKEN, received, startWorld, type World } from './support/world.js';

// Outages across services in one process: the network service diagnoses on a fake
// RouterOS router and finds the outage, the accounts service records it and tells the
// customers on that router through the real gateway (to the fake Graph API), later
// complaints get the outage's answer and one incident ticket, and its end is told.

let redis: TestRedis;
let postgres: TestPostgres;
beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  await redis?.stop();
});

const phoneOf = (i: number) => `57301${String(1_000_000 + i).slice(1)}`;
const CUSTOMERS = Array.from({ length: 8 }, (_, i) => ({
  customerId: `N-${i}`,
  name: `Cliente ${i}`,
  phones: [`+${phoneOf(i)}`],
  pppoeUser: `user${i}@isp`,
  serviceIp: `100.64.1.${i + 10}`,
  router: i < 6 ? 'NORTE' : 'SUR',
}));

interface Setup {
  world: World;
  network: NetworkContext;
  router: FakeRouter;
  /** A second network service replica on the same Redis (its probe not started). */
  replica(): NetworkContext;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  complain(i: number): Promise<void>;
  ticketRequests(): Promise<TicketRequest[]>;
  stop(): Promise<void>;
}
let setup: Setup | undefined;
afterEach(async () => {
  await setup?.stop();
  setup = undefined;
});

async function start(options: {
  routerUp: boolean;
  recent: number[];
  threshold?: number;
  /** The router refuses every connection at first (a reboot, a power cut) and can come back. */
  routerRefusing?: boolean;
  /** Probes every 40 ms (called by the test with `tick()`), this many good ones in a row resolve. */
  probesToResolve?: number;
}): Promise<Setup> {
  let gatewayUrl = '';
  const world = await startWorld(
    redis,
    postgres,
    { OUTAGE_NOTICE_HOURS: '6' },
    { windows: { open: (chats, hours) => createWindowClient({ gatewayUrl, token: API_TOKEN }).open(chats, hours) } },
  );
  await world.gatewayApp.listen({ host: '127.0.0.1', port: 0 });
  const address = world.gatewayApp.server.address();
  gatewayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const rows = [
    'customer_id,name,phones,status,router',
    ...CUSTOMERS.map((c) => `${c.customerId},${c.name},${c.phones[0]},active,${c.router}`),
  ];
  expect(await importRecords(world.accounts.db, 'customers', `${rows.join('\n')}\n`, 'csv')).toMatchObject({
    errors: [],
  });
  const store = world.gateway.conversation.store;
  for (let i = 0; i < CUSTOMERS.length; i++) {
    await store.updateChat(phoneOf(i), {
      consentVersion: world.gateway.config.PRIVACY_NOTICE_VERSION,
      consentAt: new Date().toISOString(),
    });
  }
  // These customers wrote an hour ago; the others last wrote two days ago (no window).
  for (const i of options.recent)
    await world.gateway.conversationWindow.touch(phoneOf(i), new Date(Date.now() - 3_600_000));

  // The router: up with no PPPoE session for anyone (every line fails), or down (closed).
  const router = await startFakeRouter({
    state: { tables: { '/ppp/active': [], '/ppp/secret': [] }, ping: {}, traffic: {} },
    ...(options.routerRefusing ? { faults: { closeBeforeLogin: true } } : {}),
  });
  const port = router.port;
  if (!options.routerUp) await router.close();
  const networkEnv = (): Record<string, string> => ({
    REDIS_URL: redis.url,
    API_TOKEN,
    ACCOUNTS_URL: world.accountsUrl,
    OUTAGE_DIAGNOSES_THRESHOLD: String(options.threshold ?? 3),
    MIKROTIK_ROUTERS: JSON.stringify([
      { name: 'NORTE', host: '127.0.0.1', port, username: 'api', password: 'secret' },
      { name: 'SUR', host: '127.0.0.1', port: 1, username: 'api', password: 'secret' },
    ]),
    ...(options.probesToResolve
      ? { OUTAGE_PROBE_INTERVAL_MS: '40', OUTAGE_PROBES_TO_RESOLVE: String(options.probesToResolve) }
      : {}),
  });
  const networkReplica = () =>
    createNetworkContext(networkConfig(networkEnv()), {
      prefix: world.accounts.prefix,
      directory: createFileDirectory(CUSTOMERS),
      tuning: { ...FAST_TUNING, breaker: { volumeThreshold: 100 } },
    });
  const network = networkReplica();
  const replicas: NetworkContext[] = [];
  startDiagnosticsWorker(network);
  const diagnostics = network.producer('diagnostics');
  let n = 0;
  return {
    world,
    network,
    router,
    replica() {
      const another = networkReplica();
      replicas.push(another);
      return another;
    },
    async api(method, path, body) {
      const res = await world.accountsApp.inject({
        method: method as 'GET',
        url: path,
        headers: { authorization: `Bearer ${API_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    },
    // "No tengo internet" from customer i, as the classifier hands it to the network service.
    async complain(i) {
      n += 1;
      const correlationId = `complaint-${n}-${i}`;
      await world.gateway.conversationWindow.touch(phoneOf(i), new Date());
      const request: DiagnosticRequestInput = {
        correlationId,
        customer: { phone: phoneOf(i) },
        replyTo: { channel: 'cloud', chatId: phoneOf(i), language: 'es' },
        reportedText: 'no tengo internet',
        requestedAt: new Date().toISOString(),
      };
      await diagnostics.add(request, { jobId: jobIds.diagnostics(correlationId) });
      const job = await diagnostics.queue.getJob(jobIds.diagnostics(correlationId));
      await waitFor(async () => (await job?.isCompleted()) || (await job?.isFailed()), 30_000, 'the diagnosis');
      expect(await job?.isCompleted()).toBe(true);
    },
    async ticketRequests() {
      const jobs = await world.accounts.producers.tickets.queue.getJobs([
        'waiting',
        'delayed',
        'active',
        'completed',
        'failed',
      ]);
      return jobs.map((j) => j.data as TicketRequest);
    },
    async stop() {
      for (const r of replicas) await r.close();
      await network.close();
      await world.stop();
      await router.close().catch(() => undefined);
    },
  };
}

const textsTo = (world: World, i: number) => received(world, phoneOf(i)).map((m) => m.text?.body ?? '');
const OUTAGE_TEXT = /falla general del servicio en tu zona \(nodo NORTE\)\. Nuestro equipo ya está trabajando/;
const RESOLVED_TEXT = /quedó resuelta/;

describe('an outage found by the network service', () => {
  test('a router that cannot be reached: recent writers told once, complaints join one ticket, its end told', async () => {
    setup = await start({ routerUp: false, recent: [0, 2, 4, 6] });
    const { world } = setup;

    await setup.complain(1);
    // The diagnosis found the router down and the accounts service opened the outage.
    let outages = await setup.api('GET', '/api/outages?state=open');
    await waitFor(
      async () => {
        outages = await (setup as Setup).api('GET', '/api/outages?state=open');
        return outages.body.total === 1;
      },
      10_000,
      'the outage opened',
    );
    const outage = (outages.body.items as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(outage).toMatchObject({ router: 'NORTE', source: 'detected', cause: 'router_down', state: 'open' });
    const id = outage.id as string;

    // Told once: the customers on NORTE who wrote within 6 hours (0, 2, 4 and the complainer 1);
    // not 6 (router SUR), nor 3 and 5 (silent for two days).
    await waitFor(
      () => [0, 1, 2, 4].every((i) => textsTo(world, i).some((t) => OUTAGE_TEXT.test(t))),
      20_000,
      'the outage notices',
    );
    for (const i of [3, 5, 6, 7]) expect(textsTo(world, i).some((t) => OUTAGE_TEXT.test(t))).toBe(false);

    // Later complaints from NORTE: the outage's answer at once, and the same incident ticket.
    await setup.complain(3);
    await setup.complain(5);
    await setup.complain(2);
    await waitFor(() => [3, 5].every((i) => textsTo(world, i).some((t) => OUTAGE_TEXT.test(t))), 20_000, 'the answers');
    const tickets = await setup.ticketRequests();
    expect(tickets).toHaveLength(4);
    expect(new Set(tickets.map((t) => t.idempotencyKey))).toEqual(new Set([outageTicketKey(id)]));
    // Customer 2 was told by the notice and then answered once more for the complaint; never the notice twice.
    const noticesTo2 = received(world, phoneOf(2)).filter(
      (m) =>
        OUTAGE_TEXT.test(m.text?.body ?? '') &&
        (m as { biz_opaque_callback_data?: string }).biz_opaque_callback_data?.includes('-outage'),
    );
    expect(noticesTo2).toHaveLength(1);

    // A complaint from SUR is diagnosed as usual: its own ticket.
    await setup.complain(6);
    expect((await setup.ticketRequests()).filter((t) => t.idempotencyKey !== outageTicketKey(id))).toHaveLength(1);

    // Staff close it: everyone told of it and every complainer is told it ended, once.
    const resolved = await setup.api('POST', `/api/outages/${id}/resolve`, { by: 'noc' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ changed: true, told: 6, outage: { state: 'resolved', resolved_by: 'noc' } });
    await waitFor(
      () => [0, 1, 2, 3, 4, 5].every((i) => textsTo(world, i).some((t) => RESOLVED_TEXT.test(t))),
      20_000,
      'the end told',
    );
    expect((await setup.api('POST', `/api/outages/${id}/resolve`)).body).toMatchObject({ changed: false, told: 0 });
    for (const i of [0, 1, 2, 3, 4, 5]) expect(textsTo(world, i).filter((t) => RESOLVED_TEXT.test(t))).toHaveLength(1);

    // With the outage over, a complaint from NORTE is diagnosed again.
    await setup.complain(4);
    const after = await setup.ticketRequests();
    expect(after.filter((t) => t.idempotencyKey === outageTicketKey(id))).toHaveLength(4);
  }, 120_000);

  test('several failing diagnoses on one router within minutes make an outage; fewer do not', async () => {
    setup = await start({ routerUp: true, recent: [0], threshold: 3 });
    await setup.complain(1);
    await setup.complain(2);
    expect((await setup.api('GET', '/api/outages')).body.total).toBe(0);
    await setup.complain(3);
    await waitFor(
      async () => (await (setup as Setup).api('GET', '/api/outages?state=open')).body.total === 1,
      10_000,
      'the outage',
    );
    const [outage] = (await setup.api('GET', '/api/outages')).body.items as Record<string, unknown>[];
    expect(outage).toMatchObject({ router: 'NORTE', cause: 'failing_diagnoses', source: 'detected' });
    // The third complaint's ticket is the outage's; the two before it had their own.
    const keys = (await setup.ticketRequests()).map((t) => t.idempotencyKey);
    expect(keys.filter((k) => k === outageTicketKey(outage?.id as string))).toHaveLength(1);
    expect(keys).toHaveLength(3);
  }, 120_000);
});

describe('outages declared by staff', () => {
  test('declare, list, resolve; one open outage per router; answers name what is wrong', async () => {
    setup = await start({ routerUp: true, recent: [6, 7] });
    const declared = await setup.api('POST', '/api/outages', { router: 'SUR', reason: 'fibra cortada' });
    expect(declared.status).toBe(201);
    expect(declared.body).toMatchObject({
      created: true,
      told: 2,
      outage: { source: 'manual', cause: 'manual', reason: 'fibra cortada' },
    });
    const again = await setup.api('POST', '/api/outages', { router: 'sur' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, told: 0 });
    const id = (declared.body.outage as { id: string }).id;
    expect((again.body.outage as { id: string }).id).toBe(id);
    await waitFor(
      () => [6, 7].every((i) => textsTo((setup as Setup).world, i).some((t) => /nodo SUR/.test(t))),
      20_000,
      'told',
    );

    const list = await setup.api('GET', '/api/outages');
    expect(list.body).toMatchObject({ total: 1, items: [{ id, state: 'open', notified: 2 }] });
    expect((await setup.api('GET', `/api/outages/${id}`)).body).toMatchObject({ id, router: 'SUR' });

    const resolved = await setup.api('POST', `/api/outages/${id}/resolve`);
    expect(resolved.body).toMatchObject({
      changed: true,
      told: 2,
      outage: { state: 'resolved', resolved_by: 'staff' },
    });
    expect((await setup.api('GET', '/api/outages?state=open')).body.total).toBe(0);
    // A new outage on the same router may open once the last one ended.
    expect((await setup.api('POST', '/api/outages', { router: 'SUR' })).status).toBe(201);

    const bad = await setup.api('POST', '/api/outages', { router: 'no spaces allowed' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('router');
    const badCause = await setup.api('POST', '/api/outages', { router: 'SUR', source: 'detected' });
    expect(badCause.status).toBe(400);
    expect(badCause.body.message).toContain('cause');
    expect((await setup.api('POST', '/api/outages/o0000/resolve')).status).toBe(404);
    expect((await setup.api('GET', '/api/outages/x')).status).toBe(400);
  }, 60_000);
});

/** A PPPoE session and answered pings for customer i: their diagnosis passes. */
function lineUp(router: FakeRouter, i: number): void {
  const c = CUSTOMERS[i] as (typeof CUSTOMERS)[number];
  router.state.tables['/ppp/active']?.push({ name: c.pppoeUser, service: 'pppoe', uptime: '1m', address: c.serviceIp });
  router.state.ping[c.serviceIp] = { times: [2, 2, 2] };
}

/** The router refuses new connections (and drops the open ones), or takes them again. */
function routerDown(router: FakeRouter, down: boolean): void {
  router.faults.closeBeforeLogin = down;
  if (down) router.resetConnections();
}

/** One probe round of a replica, once the previous round's turn has passed (40 ms interval). */
async function probeRound(network: NetworkContext) {
  await sleep(60);
  const results = await network.outageProbe?.tick();
  expect(results).toBeDefined();
  return results ?? [];
}

const autoResolved = async (network: NetworkContext) =>
  metricValue(await network.metrics.registry.metrics(), 'helpline_outages_auto_resolved_total') ?? 0;

describe('outages that end by themselves', () => {
  test('router down: the outage opens; back with lines passing for N probes in a row: resolved, told once; a flap does not end it', async () => {
    setup = await start({ routerUp: true, routerRefusing: true, recent: [0, 2], probesToResolve: 3 });
    const { world, router, network } = setup;

    await setup.complain(1);
    const id = await waitFor(
      async () => {
        const open = await (setup as Setup).api('GET', '/api/outages?state=open');
        return (open.body.items as { id: string; cause: string; ends_by_itself: boolean }[])[0];
      },
      10_000,
      'the outage opened',
    );
    expect(id).toMatchObject({ cause: 'router_down', ends_by_itself: true });
    const outageId = id.id;
    // Customer 3 complains during the outage: the probes diagnose the complainers' lines.
    await setup.complain(3);
    await waitFor(
      () => [0, 1, 2, 3].every((i) => textsTo(world, i).some((t) => OUTAGE_TEXT.test(t))),
      20_000,
      'the outage told',
    );

    // Still down: a bad probe.
    expect(await probeRound(network)).toEqual([{ outageId, router: 'NORTE', good: false, inRow: 0, resolved: false }]);
    // The router answers, but the complainers' lines (1 found the outage, 3 complained in
    // it) have no session yet: their diagnoses fail. One line up is not enough either.
    routerDown(router, false);
    expect((await probeRound(network))[0]).toMatchObject({ good: false, inRow: 0 });
    lineUp(router, 3);
    expect((await probeRound(network))[0]).toMatchObject({ good: false, inRow: 0 });
    lineUp(router, 1);
    expect((await probeRound(network))[0]).toMatchObject({ good: true, inRow: 1 });
    expect((await probeRound(network))[0]).toMatchObject({ good: true, inRow: 2 });
    // A flap: down for one probe, and the count starts again.
    routerDown(router, true);
    expect((await probeRound(network))[0]).toMatchObject({ good: false, inRow: 0 });
    routerDown(router, false);
    expect((await probeRound(network))[0]).toMatchObject({ good: true, inRow: 1, resolved: false });
    expect((await probeRound(network))[0]).toMatchObject({ good: true, inRow: 2, resolved: false });
    expect((await setup.api('GET', `/api/outages/${outageId}`)).body).toMatchObject({ state: 'open' });

    // Another replica takes the next turn: the count is shared, and the third good probe in a row ends it.
    const other = setup.replica();
    expect(await probeRound(other)).toEqual([{ outageId, router: 'NORTE', good: true, inRow: 3, resolved: true }]);
    expect((await setup.api('GET', `/api/outages/${outageId}`)).body).toMatchObject({
      state: 'resolved',
      resolved_by: 'network-probe',
      notified_resolved: 4,
    });
    await waitFor(
      () => [0, 1, 2, 3].every((i) => textsTo(world, i).some((t) => RESOLVED_TEXT.test(t))),
      20_000,
      'the end told',
    );
    // The first replica finds nothing left to probe; a resolve racing the probe's (two at
    // once) changes nothing and tells nobody: each customer was told once.
    expect(await probeRound(network)).toEqual([]);
    const raced = await Promise.all([
      setup.api('POST', `/api/outages/${outageId}/resolve`, { by: 'network-probe' }),
      setup.api('POST', `/api/outages/${outageId}/resolve`, { by: 'network-probe' }),
    ]);
    for (const r of raced) expect(r.body).toMatchObject({ changed: false, told: 0 });
    await sleep(300);
    for (const i of [0, 1, 2, 3]) expect(textsTo(world, i).filter((t) => RESOLVED_TEXT.test(t))).toHaveLength(1);
    expect((await autoResolved(network)) + (await autoResolved(other))).toBe(1);
  }, 120_000);

  test('a manual outage is not ended by the probes unless staff declared it with ends_by_itself', async () => {
    setup = await start({ routerUp: true, recent: [], probesToResolve: 2 });
    const { network } = setup;
    const manual = await setup.api('POST', '/api/outages', { router: 'NORTE', reason: 'mantenimiento' });
    expect(manual.body).toMatchObject({ outage: { source: 'manual', ends_by_itself: false } });
    // The router answers and nobody complained: every probe would be good, but none is made.
    for (let i = 0; i < 3; i++) expect(await probeRound(network)).toEqual([]);
    const manualId = (manual.body.outage as { id: string }).id;
    expect((await setup.api('GET', `/api/outages/${manualId}`)).body).toMatchObject({ state: 'open' });
    await setup.api('POST', `/api/outages/${manualId}/resolve`, { by: 'noc' });

    const chosen = await setup.api('POST', '/api/outages', { router: 'NORTE', ends_by_itself: true });
    expect(chosen.status).toBe(201);
    const chosenId = (chosen.body.outage as { id: string }).id;
    expect((await probeRound(network))[0]).toMatchObject({ outageId: chosenId, good: true, inRow: 1 });
    expect((await probeRound(network))[0]).toMatchObject({ outageId: chosenId, good: true, resolved: true });
    expect((await setup.api('GET', `/api/outages/${chosenId}`)).body).toMatchObject({
      state: 'resolved',
      resolved_by: 'network-probe',
    });
    const bad = await setup.api('POST', '/api/outages', { router: 'NORTE', ends_by_itself: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('ends_by_itself');
  }, 60_000);
});

describe('outage texts in the customer’s language', () => {
  test('a chat that writes in English is told in English; the others in Spanish', async () => {
    setup = await start({ routerUp: true, recent: [0, 2] });
    const { world } = setup;
    // Customer 2 last wrote in English (the gateway's detection, remembered from their requests).
    await world.accounts.notices.languages.remember(phoneOf(2), 'en');
    const declared = await setup.api('POST', '/api/outages', { router: 'NORTE' });
    expect(declared.body).toMatchObject({ told: 2 });
    await waitFor(
      () => textsTo(world, 0).some((t) => OUTAGE_TEXT.test(t)) && textsTo(world, 2).length > 0,
      20_000,
      'told',
    );
    expect(textsTo(world, 2)).toEqual([
      'We know about a general service outage in your area (node NORTE). Our team is already working on it, and we will let you know here as soon as it is fixed. There is no need to report it again.',
    ]);
    await setup.api('POST', `/api/outages/${(declared.body.outage as { id: string }).id}/resolve`);
    await waitFor(() => textsTo(world, 2).length === 2 && textsTo(world, 0).length === 2, 20_000, 'the end told');
    expect(textsTo(world, 2)[1]).toBe(
      'The general service outage in your area (node NORTE) has been fixed. If you still have no internet, restart your router and write to us.',
    );
    expect(textsTo(world, 0)[1]).toMatch(RESOLVED_TEXT);
  }, 60_000);
});
