import { setTimeout as sleep } from 'node:timers/promises';
import { noticeOptOutKey } from '@helpline/contracts';
import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis, waitFor } from '@helpline/testkit';
import type { FollowUpStatus, RecordedGraphRequest } from '@helpline/testkit/meta-graph';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { APP_SECRET } from '../../gateway/test/support/harness.js';
import { startBroadcasts } from '../src/broadcasts/start-broadcasts.js';
import { createWindowClient } from '../src/broadcasts/window-client.js';
import { importRecords } from '../src/import/import-records.js';
import { API_TOKEN, startWorld, type World } from './support/world.js';

// Broadcasts end to end in one process: the accounts service stores and paces them, the
// real gateway sends them to the fake Graph API, the fake reports statuses to the gateway's
// webhook as Meta does, and the report is read from the gateway's conversation events.

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

interface Running {
  world: World;
  gatewayUrl: string;
  stop(): Promise<void>;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}
let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

type Counts = Record<
  'pending' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'cancelled' | 'skipped_window',
  number
>;

const phoneOf = (i: number) => `57300${String(1_000_000 + i).slice(1)}`;

async function start(
  customers: number,
  env: Record<string, string> = {},
  consented: (i: number) => boolean = () => true,
): Promise<Running> {
  // The accounts service asks the gateway (listening below) which chats are inside their window.
  let gatewayUrl = '';
  const world = await startWorld(
    redis,
    postgres,
    { WHATSAPP_SEND_RATE: '1000', BROADCAST_RATE_PERCENT: '100', ...env },
    { windows: { open: (chats) => createWindowClient({ gatewayUrl, token: API_TOKEN }).open(chats) } },
  );
  await world.gatewayApp.listen({ host: '127.0.0.1', port: 0 });
  const address = world.gatewayApp.server.address();
  gatewayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const rows = ['customer_id,name,phones,status,router'];
  for (let i = 0; i < customers; i++) {
    rows.push(`C-${i},Cliente ${i},+${phoneOf(i)},${i % 10 === 9 ? 'suspended' : 'active'},${i % 2 ? 'NORTE' : 'SUR'}`);
  }
  const imported = await importRecords(world.accounts.db, 'customers', `${rows.join('\n')}\n`, 'csv');
  expect(imported).toMatchObject({ errors: [], written: customers });
  // Ley 1581: the recipients accepted the privacy notice (the gateway sends notices only then).
  const store = world.gateway.conversation.store;
  for (let i = 0; i < customers; i++) {
    if (!consented(i)) continue;
    await store.updateChat(phoneOf(i), {
      consentVersion: world.gateway.config.PRIVACY_NOTICE_VERSION,
      consentAt: new Date().toISOString(),
    });
  }
  const broadcasts = startBroadcasts(world.accounts, { redisUrl: redis.url, blockMs: 200 });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await world.accountsApp.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: `Bearer ${API_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  return {
    world,
    gatewayUrl,
    api,
    async stop() {
      await broadcasts.stop();
      await world.stop();
    },
  };
}

const sendsOf = (world: World): RecordedGraphRequest[] =>
  world.graph.messageRequests().filter((r) => (r.body as { status?: string } | undefined)?.status !== 'read');
const toOf = (r: RecordedGraphRequest) => (r.body as { to: string }).to;

describe('a broadcast to 2,000 customers', () => {
  test('paced, 3% failing by code, and the report matches what the fake Graph API recorded', async () => {
    running = await start(2_000);
    const { world } = running;

    // Failures, by recipient: refused at once by the Graph API (131026 undeliverable, 131048
    // spam limit), or taken and then reported failed by status webhook (131049 ecosystem
    // limit, 131026). 60 of 2,000 = 3%.
    const syncFail = new Map<string, number>();
    const asyncFail = new Map<string, number>();
    for (let i = 0; i < 2_000; i += 1) {
      const to = phoneOf(i);
      if (i % 100 === 7) syncFail.set(to, 131026);
      else if (i % 200 === 13) syncFail.set(to, 131048);
      else if (i % 100 === 42) asyncFail.set(to, 131049);
      else if (i % 200 === 77) asyncFail.set(to, 131026);
    }
    expect(syncFail.size + asyncFail.size).toBe(60);
    for (const [to, code] of syncFail) world.graph.failWith(code, { recipient: to });
    const readers = (to: string) => Number(to.slice(-3)) % 3 === 0;
    world.graph.reportStatuses({
      url: `${running.gatewayUrl}/webhook`,
      appSecret: APP_SECRET,
      retryMs: 100,
      followUps: (m): FollowUpStatus[] => {
        const code = asyncFail.get(m.recipient);
        if (code) return [{ status: 'failed', code, title: code === 131049 ? 'Ecosystem limit' : 'Undeliverable' }];
        return readers(m.recipient) ? [{ status: 'delivered' }, { status: 'read' }] : [{ status: 'delivered' }];
      },
    });

    const dry = await running.api('POST', '/api/broadcasts', {
      template: { name: 'mantenimiento_programado', language: 'es', body: ['{{customer_name}}', 'esta noche'] },
      audience: { kind: 'all' },
      dry_run: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, recipients: 2_000, unusable: 0 });
    expect(sendsOf(world)).toHaveLength(0);

    const created = await running.api('POST', '/api/broadcasts', {
      template: { name: 'mantenimiento_programado', language: 'es', body: ['{{customer_name}}', 'esta noche'] },
      audience: { kind: 'all' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ recipients: 2_000, kind: 'template', state: 'running' });

    // Every recipient settled: sent, delivered, read or failed, and every status taken.
    let report: Record<string, unknown> = {};
    await waitFor(
      async () => {
        report = (await running?.api('GET', `/api/broadcasts/${id}`))?.body ?? {};
        const c = report.counts as Counts;
        const statusesTaken = world.graph.statusDeliveries().every((d) => d.delivered);
        return c.pending + c.queued + c.sent === 0 && statusesTaken && report.state === 'done';
      },
      // Generous: CI machines are shared; this waits for facts, it measures nothing.
      270_000,
      'the broadcast to settle',
    );

    // What the fake recorded: one send per recipient (a refused one once: not retried).
    const sends = sendsOf(world);
    expect(new Set(sends.map(toOf)).size).toBe(2_000);
    expect(sends).toHaveLength(2_000);
    const refused = sends.filter((r) => r.outcome !== 200);
    expect(refused.map(toOf).sort()).toEqual([...syncFail.keys()].sort());
    expect(refused.map((r) => r.errorCode)).toEqual(refused.map((r) => syncFail.get(toOf(r))));
    const taken = sends.filter((r) => r.outcome === 200);
    const statuses = world.graph.statusDeliveries();
    const failedAfter = statuses.filter((d) => d.status === 'failed');
    const readCount = statuses.filter((d) => d.status === 'read').length;
    const deliveredCount = statuses.filter((d) => d.status === 'delivered').length;

    const expectedFailures = new Map<string, number>();
    for (const r of refused)
      expectedFailures.set(String(r.errorCode), (expectedFailures.get(String(r.errorCode)) ?? 0) + 1);
    for (const d of failedAfter)
      expectedFailures.set(String(d.errorCode), (expectedFailures.get(String(d.errorCode)) ?? 0) + 1);

    expect(report.counts).toMatchObject({
      pending: 0,
      queued: 0,
      sent: 0,
      delivered: deliveredCount - readCount,
      read: readCount,
      failed: refused.length + failedAfter.length,
      cancelled: 0,
    });
    expect(report.reached).toEqual({
      sent: taken.length - failedAfter.length,
      delivered: deliveredCount,
      read: readCount,
    });
    expect(report.failed).toBe(60);
    const failures = report.failures as { code: string; count: number }[];
    expect(Object.fromEntries(failures.map((f) => [f.code, f.count]))).toEqual(Object.fromEntries(expectedFailures));
    expect(report.skipped).toEqual({ opted_out: 0, no_consent: 0, window_closed: 0 });

    // Each template went with the recipient's own name.
    const first = sends.find((r) => toOf(r) === phoneOf(0))?.body as {
      template: { name: string; components: { parameters: { text: string }[] }[] };
    };
    expect(first.template.name).toBe('mantenimiento_programado');
    expect(first.template.components[0]?.parameters.map((p) => p.text)).toEqual(['Cliente 0', 'esta noche']);

    // The list shows it, done.
    const list = await running.api('GET', '/api/broadcasts');
    expect(list.body).toMatchObject({ total: 1, items: [{ id, state: 'done', total: 2_000 }] });
  }, 300_000);
});

describe('cancelling a broadcast', () => {
  test('stops what is not yet sent and keeps the record of what went', async () => {
    // Slow enough to cancel mid-way: 20 messages a second.
    running = await start(300, { WHATSAPP_SEND_RATE: '20' });
    const { world } = running;
    const created = await running.api('POST', '/api/broadcasts', {
      template: { name: 'aviso', language: 'es' },
      audience: { kind: 'router', router: 'norte' },
    });
    expect(created.status).toBe(201);
    expect(created.body.recipients).toBe(150);
    const id = created.body.id as string;
    await waitFor(() => sendsOf(world).length >= 20, 30_000, 'some messages out');

    const cancelled = await running.api('POST', `/api/broadcasts/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');

    // Whatever was in flight settles; then nothing more goes out.
    let report: Record<string, unknown> = {};
    await waitFor(
      async () => {
        await running?.world.accounts.broadcasts.dispatcher.reconcile();
        report = (await running?.api('GET', `/api/broadcasts/${id}`))?.body ?? {};
        const c = report.counts as Counts;
        return c.pending === 0 && c.queued === 0;
      },
      30_000,
      'in-flight messages to settle',
    );
    const sentNow = sendsOf(world).length;
    await sleep(1_000);
    expect(sendsOf(world).length).toBe(sentNow);
    const c = report.counts as Counts;
    expect(sentNow).toBeGreaterThanOrEqual(20);
    expect(sentNow).toBeLessThan(150);
    // Every recipient is accounted for: what went (sent) and what was stopped (cancelled).
    expect(c.sent + c.delivered + c.read).toBe(sentNow);
    expect(c.cancelled).toBe(150 - sentNow);
    const sentTo = new Set(sendsOf(world).map(toOf));
    expect([...sentTo].every((to) => Number(to.slice(-6)) % 2 === 1)).toBe(true);

    // A second cancel answers the same record; an unknown id is a 404.
    expect((await running.api('POST', `/api/broadcasts/${id}/cancel`)).body.counts).toEqual(c);
    expect((await running.api('POST', '/api/broadcasts/b0000000/cancel')).status).toBe(404);
  }, 90_000);
});

describe('free text and the deployment words', () => {
  test('free text reaches only chats inside their 24-hour window, and says how many', async () => {
    running = await start(10);
    const { world } = running;
    // Three of the ten wrote within the last day.
    for (const i of [1, 4, 7]) await world.gateway.conversationWindow.touch(phoneOf(i), new Date());
    const created = await running.api('POST', '/broadcast', {
      message: 'Mantenimiento programado esta noche',
      target_group: 'todos',
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ kind: 'text', recipients: 10, reachable_now: 3 });
    const id = created.body.id as string;
    let report: Record<string, unknown> = {};
    await waitFor(
      async () => {
        report = (await running?.api('GET', `/api/broadcasts/${id}`))?.body ?? {};
        const c = report.counts as Counts;
        return c.pending + c.queued === 0 && c.sent + c.delivered + c.read === 3;
      },
      30_000,
      'the three in-window chats reached',
    );
    expect(report.skipped).toEqual({ opted_out: 0, no_consent: 0, window_closed: 7 });
    expect(report.source).toBe('deployment');
    expect(sendsOf(world).map(toOf).sort()).toEqual([phoneOf(1), phoneOf(4), phoneOf(7)]);
    const bodies = sendsOf(world).map((r) => (r.body as { text?: { body: string } }).text?.body);
    expect(bodies).toEqual(Array(3).fill('Mantenimiento programado esta noche'));
  }, 60_000);

  test('the gateway holds back opted-out and unconsented recipients at send time; the report counts them', async () => {
    running = await start(6, {}, (i) => i !== 5);
    const { world } = running;
    // Customer 4 said "no quiero más avisos" (the opt-out set the gateway reads at send time).
    await world.gateway.redis('producer').sadd(noticeOptOutKey(world.gateway.prefix), phoneOf(4));
    const created = await running.api('POST', '/api/broadcasts', {
      template: { name: 'aviso', language: 'es' },
      audience: { kind: 'numbers', numbers: [0, 1, 2, 3, 4, 5].map((i) => `+${phoneOf(i)}`) },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    let report: Record<string, unknown> = {};
    await waitFor(
      async () => {
        report = (await running?.api('GET', `/api/broadcasts/${id}`))?.body ?? {};
        const c = report.counts as Counts;
        return c.pending + c.queued === 0 && (report.reached as { sent: number }).sent === 4;
      },
      30_000,
      'the broadcast to settle',
    );
    expect(report.skipped).toEqual({ opted_out: 1, no_consent: 1, window_closed: 0 });
    expect(sendsOf(world).map(toOf).sort()).toEqual([0, 1, 2, 3].map(phoneOf));
  }, 60_000);

  test('a broadcast with a start time waits for it (a fixed clock), then goes', async () => {
    let now = new Date('2026-12-03T15:00:00-05:00');
    // A template: no window is asked about.
    const world = await startWorld(redis, postgres, {}, { clock: () => now });
    try {
      await world.gateway.conversation.store.updateChat(phoneOf(1), {
        consentVersion: world.gateway.config.PRIVACY_NOTICE_VERSION,
        consentAt: now.toISOString(),
      });
      const res = await world.accountsApp.inject({
        method: 'POST',
        url: '/api/broadcasts',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify({
          template: { name: 'aviso', language: 'es' },
          audience: { kind: 'numbers', numbers: [`+${phoneOf(1)}`] },
          start_at: '2026-12-03T22:00:00-05:00',
        }),
      });
      expect(res.json()).toMatchObject({ state: 'scheduled', start_at: '2026-12-04T03:00:00.000Z' });
      const { dispatcher } = world.accounts.broadcasts;
      now = new Date('2026-12-03T21:59:59-05:00');
      expect(await dispatcher.tick()).toBe(0);
      now = new Date('2026-12-03T22:00:00-05:00');
      expect(await dispatcher.tick()).toBe(1);
      await waitFor(() => sendsOf(world).length === 1, 20_000, 'the send');
      expect(toOf(sendsOf(world)[0] as RecordedGraphRequest)).toBe(phoneOf(1));
    } finally {
      await world.stop();
    }
  }, 60_000);

  test('bodies are validated with answers that name what is wrong', async () => {
    running = await start(2);
    const noAudience = await running.api('POST', '/api/broadcasts', { text: 'hola' });
    expect(noAudience.status).toBe(400);
    expect(JSON.stringify(noAudience.body)).toContain('audience');
    const both = await running.api('POST', '/api/broadcasts', {
      text: 'hola',
      template: { name: 'x', language: 'es' },
      audience: { kind: 'all' },
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('either template or text');
    const noLanguage = await running.api('POST', '/api/broadcasts', {
      template: { name: 'aviso' },
      audience: { kind: 'all' },
    });
    expect(noLanguage.status).toBe(400);
    expect(JSON.stringify(noLanguage.body)).toContain('language');
    const purposeUnmapped = await running.api('POST', '/api/broadcasts', {
      template: { purpose: 'outage' },
      audience: { kind: 'all' },
    });
    expect(purposeUnmapped.status).toBe(422);
    expect(purposeUnmapped.body.message).toContain('WHATSAPP_TEMPLATES_FILE');
    const badGroup = await running.api('POST', '/broadcast', { message: 'hola', target_group: 'vecinos' });
    expect(badGroup.status).toBe(400);
    expect(badGroup.body.message).toContain('target_group');
    const nobody = await running.api('POST', '/api/broadcasts', {
      template: { name: 'aviso', language: 'es' },
      audience: { kind: 'plan', plan: 'no-such-plan' },
    });
    expect(nobody.status).toBe(422);
    const badId = await running.api('GET', '/api/broadcasts/not-an-id');
    expect(badId.status).toBe(400);
    const later = await running.api('POST', '/api/broadcasts', {
      template: { name: 'aviso', language: 'es' },
      audience: { kind: 'numbers', numbers: ['+57 300 000 0001', '3000000001', '1234567890123456'] },
      start_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({ state: 'scheduled', recipients: 1, unusable: 1 });
  }, 60_000);
});
