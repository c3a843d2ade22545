import { createHttpApp, type HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { fakeGroupText } from '@helpline/testkit/baileys';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSessionLease } from '../src/groups/session-lease.js';
import { registerGroupRoutes } from '../src/groups/group-routes.js';
import { API_TOKEN, quietLogger } from './support/harness.js';
import {
  eventually,
  GROUP,
  type GroupTestRig,
  groupRig,
  metricValue,
  OTHER_GROUP,
  recordingSink,
} from './support/groups.js';

let server: TestRedis;
const rigs: GroupTestRig[] = [];
const apps: HttpApp[] = [];

beforeAll(async () => {
  server = await startTestRedis();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  for (const rig of rigs.splice(0)) await rig.close();
});
afterAll(async () => {
  await server.stop();
});

async function rig(
  ...args: Parameters<typeof groupRig> extends [string, ...infer R] ? R : never
): Promise<GroupTestRig> {
  const made = await groupRig(server.url, ...args);
  rigs.push(made);
  return made;
}

async function appFor(r: GroupTestRig): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'gateway',
    logger: quietLogger(),
    metrics: r.metrics,
    apiToken: API_TOKEN,
    healthChecks: { groups: () => r.channel.health() },
  });
  registerGroupRoutes(app, r.channel);
  apps.push(app);
  return app;
}
const auth = { authorization: `Bearer ${API_TOKEN}` };

describe('pairing', () => {
  it('prints the QR on the terminal and serves it as a PNG at /api/qr while pending', async () => {
    const r = await rig(recordingSink());
    const app = await appFor(r);
    expect((await app.inject({ url: '/api/qr' })).statusCode).toBe(401);

    await r.channel.start();
    const socket = await r.factory.waitForSocket(1);
    // The socket was given Baileys' auth state from Redis and the metadata cache.
    expect(socket.config.auth.creds.registered).toBe(false);
    expect(socket.config.cachedGroupMetadata).toBeTypeOf('function');
    const before = await app.inject({ url: '/api/qr', headers: auth });
    expect(before.statusCode).toBe(409);
    expect(before.json()).toMatchObject({ error: 'no_qr_pending' });

    socket.showQr();
    await eventually(() => expect(r.terminal.join('')).toContain('Linked devices'));
    const png = await app.inject({ url: '/api/qr', headers: auth });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(r.channel.status()).toMatchObject({ state: 'connecting', pairing: { method: 'qr' } });

    socket.open();
    await eventually(() => expect(r.channel.status().state).toBe('open'));
    const after = await app.inject({ url: '/api/qr', headers: auth });
    expect(after.statusCode).toBe(409);
    expect(after.json()).toMatchObject({ error: 'already_linked' });
    expect(r.channel.status()).toMatchObject({ account: '5491100000000', pairing: undefined });
  });

  it('pairs by code when BAILEYS_PAIRING_PHONE is set', async () => {
    const r = await rig(recordingSink(), { BAILEYS_PAIRING_PHONE: '+54 9 11 0000-0000' });
    const app = await appFor(r);
    await r.channel.start();
    const socket = await r.factory.waitForSocket(1);
    socket.showQr();
    await eventually(() => expect(socket.pairingCodeRequests).toEqual(['5491100000000']));
    await eventually(() => expect(r.terminal.join('')).toContain('FAKE1234'));
    socket.showQr();
    expect(socket.pairingCodeRequests).toHaveLength(1);
    const qr = await app.inject({ url: '/api/qr', headers: auth });
    expect(qr.statusCode).toBe(409);
    expect(qr.json()).toMatchObject({ error: 'pairing_by_code' });
    expect(r.channel.status()).toMatchObject({ pairing: { method: 'code', code: 'FAKE1234' } });
  });

  it('answers 404 with the variable to set when group mode is off', async () => {
    const app = await createHttpApp({
      service: 'gateway',
      logger: quietLogger(),
      metrics: (await rig(recordingSink())).metrics,
      apiToken: API_TOKEN,
    });
    registerGroupRoutes(app, undefined);
    apps.push(app);
    for (const url of ['/api/qr', '/api/groups']) {
      const res = await app.inject({ url, headers: auth });
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toMatch(/BAILEYS_ENABLED=true/);
    }
  });
});

describe('connection states', () => {
  const retried: Array<[string, number]> = [
    ['connectionClosed', DisconnectReason.connectionClosed],
    ['connectionLost / timedOut', DisconnectReason.connectionLost],
    ['badSession', DisconnectReason.badSession],
    ['multideviceMismatch', DisconnectReason.multideviceMismatch],
    ['unavailableService', DisconnectReason.unavailableService],
    ['restartRequired', DisconnectReason.restartRequired],
  ];

  it.each(retried)('reconnects after %s with a new socket on the same auth state', async (_name, code) => {
    const sink = recordingSink();
    const r = await rig(sink);
    await r.channel.start();
    const first = await r.factory.waitForSocket(1);
    first.open();
    await eventually(() => expect(r.channel.status().state).toBe('open'));
    first.close(code);
    expect(r.channel.status()).toMatchObject({ state: 'reconnecting', reconnectAttempt: 1, lastDisconnect: { code } });
    const second = await r.factory.waitForSocket(2);
    expect(second.config.auth.creds.noiseKey.public).toEqual(first.config.auth.creds.noiseKey.public);
    // The first socket's events are no longer heard; the second one's are.
    first.receive([
      fakeGroupText({ group: GROUP, participant: '5491100000001@s.whatsapp.net', text: 'from the old socket' }),
    ]);
    second.open();
    await eventually(() => expect(r.channel.status()).toMatchObject({ state: 'open', reconnectAttempt: 0 }));
    second.receive([
      fakeGroupText({ group: GROUP, participant: '5491100000001@s.whatsapp.net', text: 'from the new socket' }),
    ]);
    await eventually(() => expect(sink.accepted.map((m) => m.text)).toEqual(['from the new socket']));
    expect(await metricValue(r.metrics, 'helpline_group_connection_state{state="open",service="gateway"}')).toBe(1);
  });

  it('backs off exponentially between failed attempts', async () => {
    const r = await rig(recordingSink());
    await r.channel.start();
    const delays: number[] = [];
    for (let n = 1; n <= 4; n++) {
      const socket = await r.factory.waitForSocket(n);
      socket.close(DisconnectReason.connectionLost);
      const status = r.channel.status();
      delays.push(
        Date.parse(status.state === 'reconnecting' ? (status.nextAttemptAt ?? '') : '') -
          Date.parse(status.lastDisconnect?.at ?? ''),
      );
    }
    // base 20 ms, random 0.5: 15, 30, 60, then the 100 ms cap: 75.
    expect(delays).toEqual([15, 30, 60, 75]);
    expect(
      await metricValue(r.metrics, 'helpline_group_reconnects_total{reason="connection_lost",service="gateway"}'),
    ).toBe(4);
  });

  it.each([
    ['loggedOut', DisconnectReason.loggedOut, 'logged_out'],
    ['connectionReplaced', DisconnectReason.connectionReplaced, 'replaced'],
    ['forbidden', DisconnectReason.forbidden, 'forbidden'],
  ] as const)('stops after %s and says so', async (_name, code, state) => {
    const r = await rig(recordingSink());
    const app = await appFor(r);
    await r.channel.start();
    const socket = await r.factory.waitForSocket(1);
    socket.open();
    socket.emit('creds.update', { registered: true });
    await eventually(async () => expect(await r.redis.exists(`${r.keyPrefix}auth:creds`)).toBe(1));
    socket.close(code);
    await eventually(() => expect(r.channel.status().state).toBe(state));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.factory.sockets).toHaveLength(1);
    expect(r.channel.status().leaseHeld).toBe(false);
    const health = await app.inject({ url: '/health' });
    expect(health.json().checks.groups).toMatchObject({ status: 'degraded' });
    expect(health.json().checks.groups.message).toContain(
      state === 'replaced' ? 'another client' : state === 'forbidden' ? 'refused' : 'pair again',
    );
    // Logged out: the dead creds are gone, so the next start pairs afresh.
    expect(await r.redis.exists(`${r.keyPrefix}auth:creds`)).toBe(state === 'logged_out' ? 0 : 1);
  });
});

describe('lease', () => {
  it('lets only one replica hold the session; the other takes over when it stops', async () => {
    const keyPrefix = `lease-${Date.now()}:`;
    const a = await rig(recordingSink(), {}, { keyPrefix });
    const b = await rig(recordingSink(), {}, { keyPrefix });
    await a.channel.start();
    await a.factory.waitForSocket(1);
    await b.channel.start();
    expect(b.channel.status()).toMatchObject({ state: 'standby', leaseHeld: false });
    expect(b.channel.health()).toMatchObject({ status: 'ok' });
    // Longer than the lease (600 ms): renewal keeps it with the first replica.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(b.factory.sockets).toHaveLength(0);
    expect(a.channel.status().leaseHeld).toBe(true);

    await a.channel.stop();
    expect(a.factory.latest().ended).toBe(true);
    await b.factory.waitForSocket(1, 3_000);
    expect(b.channel.status().leaseHeld).toBe(true);
  });
});

describe('lease after a crash or a partition', () => {
  it('a holder that died without releasing blocks the others only until its lease expires', async () => {
    const keyPrefix = `lease-crash-${Date.now()}:`;
    const b = await rig(recordingSink(), {}, { keyPrefix });
    // The dead replica: it took the lease (600 ms) and never renews nor releases it.
    const dead = createSessionLease(b.redis, `${keyPrefix}session-lease`, 600);
    expect(await dead.acquire()).toBe(true);
    const takenAt = Date.now();
    await b.channel.start();
    expect(b.channel.status()).toMatchObject({ state: 'standby', leaseHeld: false });
    await b.factory.waitForSocket(1, 3_000);
    expect(Date.now() - takenAt).toBeGreaterThanOrEqual(550);
    expect(b.channel.status().leaseHeld).toBe(true);
    expect(await b.redis.get(`${keyPrefix}session-lease`)).not.toBe(dead.holderId);
  });

  it('a holder that finds another replica holding its lease (it was cut off from Redis) closes its socket and waits', async () => {
    const keyPrefix = `lease-lost-${Date.now()}:`;
    const a = await rig(recordingSink(), {}, { keyPrefix });
    await a.channel.start();
    const socket = await a.factory.waitForSocket(1);
    socket.open();
    await eventually(() => expect(a.channel.status()).toMatchObject({ state: 'open', leaseHeld: true }));
    // Another replica holds the lease now.
    await a.redis.set(`${keyPrefix}session-lease`, 'another-replica', 'PX', 60_000);
    await eventually(() => expect(a.channel.status()).toMatchObject({ state: 'standby', leaseHeld: false }), 3_000);
    expect(socket.ended).toBe(true);
    expect(a.factory.sockets).toHaveLength(1);
  });
});

describe('auth state across restarts', () => {
  it('a restarted gateway resumes with the stored creds, without pairing', async () => {
    const keyPrefix = `restart-${Date.now()}:`;
    const first = await rig(recordingSink(), {}, { keyPrefix });
    await first.channel.start();
    const socket = await first.factory.waitForSocket(1);
    socket.showQr();
    socket.emit('creds.update', { registered: true, me: { id: '5491100000000:3@s.whatsapp.net' } });
    await socket.config.auth.keys.set({ session: { '5491100000001.0': Buffer.from('session-bytes') } });
    socket.open('5491100000000:3@s.whatsapp.net');
    await eventually(() => expect(first.channel.status().state).toBe('open'));
    await first.channel.stop();

    const second = await rig(recordingSink(), {}, { keyPrefix });
    await second.channel.start();
    const resumed = await second.factory.waitForSocket(1);
    expect(resumed.config.auth.creds).toMatchObject({ registered: true, me: { id: '5491100000000:3@s.whatsapp.net' } });
    expect(resumed.config.auth.creds.noiseKey.private).toEqual(socket.config.auth.creds.noiseKey.private);
    expect(await resumed.config.auth.keys.get('session', ['5491100000001.0'])).toEqual({
      '5491100000001.0': Buffer.from('session-bytes'),
    });
    resumed.open('5491100000000:3@s.whatsapp.net');
    await eventually(() => expect(second.channel.status().state).toBe('open'));
    expect(second.terminal).toEqual([]);
  });
});

describe('groups', () => {
  it('lists the groups with id and subject, from one fetch kept current by group events', async () => {
    const r = await rig(recordingSink());
    const app = await appFor(r);
    await r.channel.start();
    const socket = await r.factory.waitForSocket(1);
    expect((await app.inject({ url: '/api/groups', headers: auth })).json()).toMatchObject({
      error: 'session_not_open',
    });
    socket.addGroup({ id: GROUP, subject: 'Soporte tiendas', participants: [{ id: '1@lid' }] });
    socket.addGroup({ id: OTHER_GROUP, subject: 'Amigos', participants: [] });
    socket.open();
    await eventually(() => expect(socket.groupFetches).toBe(1));
    socket.emit('groups.update', [{ id: GROUP, subject: 'Soporte POS' }]);
    socket.emit('group-participants.update', {
      id: GROUP,
      author: '1@lid',
      participants: [{ id: '2@lid' }],
      action: 'add',
    });

    const res = await app.inject({ url: '/api/groups', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      groups: [
        { id: OTHER_GROUP, subject: 'Amigos', size: 0, allowed: false },
        { id: GROUP, subject: 'Soporte POS', size: 2, allowed: true },
      ],
    });
    expect(socket.groupFetches).toBe(1);
    // Baileys reads members from the cache before sending, instead of asking WhatsApp.
    expect(await socket.config.cachedGroupMetadata?.(GROUP)).toMatchObject({
      subject: 'Soporte POS',
      participants: [{ id: '1@lid' }, { id: '2@lid' }],
    });
  });
});
