import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RouterError, RouterTrapError } from '../src/routeros/errors.js';
import { type ConnectionTimeouts, RouterConnection } from '../src/routeros/router-connection.js';
import { eventually, openSockets, settlesWithin } from './support/index.js';

// Each fault that makes bare node-routeros crash the process or hang forever, proven against
// the fake router: the call settles (within a bound checked here), the process survives
// (vitest fails a run on an uncaught exception), and no socket is left open afterwards.

const timeouts: ConnectionTimeouts = { connectMs: 500, closeMs: 300, idleSocketSeconds: 30, keepalive: false };
let router: FakeRouter;
let baseline: number;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeEach(async () => {
  baseline = openSockets();
  process.on('uncaughtException', onUncaught);
  router = await startFakeRouter({
    state: {
      tables: { '/ppp/active': [{ name: 'ana', uptime: '1h2m', address: '100.64.0.10' }] },
      ping: { '100.64.0.10': { times: [2, 3] } },
    },
  });
});

afterEach(async () => {
  await router.close();
  process.off('uncaughtException', onUncaught);
  expect(uncaught).toEqual([]);
  expect(await eventually(() => openSockets() <= baseline)).toBe(true);
});

const endpoint = () => ({
  name: 'core',
  host: router.host,
  port: router.port,
  username: 'api',
  password: 'secret',
  tls: false,
});

describe('RouterConnection against the fake router', () => {
  it('connects, runs a command and closes', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    expect(await c.run(['/ppp/active/print', '?name=ana'], 1_000)).toEqual([
      { name: 'ana', uptime: '1h2m', address: '100.64.0.10' },
    ]);
    await c.close();
    expect(c.alive).toBe(false);
  });

  it('handles !empty (RouterOS 7.18+) as no rows instead of crashing, and not as an anomaly', async () => {
    router.faults = { emptyReplies: true };
    const anomalies: string[] = [];
    const c = await RouterConnection.open(endpoint(), timeouts, { onAnomaly: (k) => anomalies.push(k) });
    expect(await c.run(['/ppp/active/print', '?name=nobody'], 1_000)).toEqual([]);
    // The fake did send !empty (the bare client test shows what it does to node-routeros).
    expect(router.commands('/ppp/active/print')).toHaveLength(1);
    expect(anomalies).toEqual([]);
    expect(c.alive).toBe(true);
    await c.close();
  });

  it('leaves no death waiter behind once its calls settle (a pooled connection runs thousands)', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    expect(c.deathWaiterCount).toBe(0);
    for (let i = 0; i < 200; i++) await c.run(['/ppp/active/print'], 1_000);
    // concurrent commands sharing the connection by tag, and refused ones (traps)
    const burst = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        i % 5 === 0
          ? c.run(['/interface/monitor-traffic', '=interface=nope', '=once='], 1_000)
          : c.run(['/ppp/active/print'], 1_000),
      ),
    );
    expect(burst.filter((r) => r.status === 'rejected')).toHaveLength(10);
    expect(c.alive).toBe(true);
    expect(c.deathWaiterCount).toBe(0);
    await c.close();
  });

  it('turns an unknown reply word into a failed command, and the connection stays usable', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    router.faults = { unknownReply: true };
    await expect(c.run(['/ppp/active/print'], 1_000)).rejects.toMatchObject({ kind: 'unknown_reply' });
    router.faults = {};
    expect(await c.run(['/ppp/active/print'], 1_000)).toHaveLength(1);
    await c.close();
  });

  it('drops a sentence for a tag nobody sent', async () => {
    const anomalies: string[] = [];
    const c = await RouterConnection.open(endpoint(), timeouts, { onAnomaly: (k) => anomalies.push(k) });
    router.faults = { unknownTag: true };
    expect(await c.run(['/ppp/active/print'], 1_000)).toHaveLength(1);
    expect(anomalies).toContain('unknown_tag');
    await c.close();
  });

  it('reports a trap with its category', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    const error = await c
      .run(['/interface/monitor-traffic', '=interface=nope', '=once='], 1_000)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterTrapError);
    expect(error).toMatchObject({ category: '0', kind: 'trap' });
    expect(c.alive).toBe(true);
    await c.close();
  });

  it('rejects connect when the router closes before login', async () => {
    router.faults = { closeBeforeLogin: true };
    const r = await settlesWithin(RouterConnection.open(endpoint(), timeouts), 2_000);
    expect(r.settled).toBe(true);
    expect(r.error).toMatchObject({ kind: 'closed', message: expect.stringMatching(/before login/) });
  });

  it('rejects connect on its deadline when the router never answers the login', async () => {
    router.faults = { hang: 'login' };
    const r = await settlesWithin(RouterConnection.open(endpoint(), timeouts), 2_000);
    expect(r.error).toMatchObject({ kind: 'connect_timeout' });
    // Only the fake's own (half-open, hung) end may remain: our side of the socket is gone.
    expect(await eventually(() => openSockets() <= baseline + router.openConnections())).toBe(true);
  });

  it('rejects connect with login_failed on a wrong password', async () => {
    const r = await settlesWithin(RouterConnection.open({ ...endpoint(), password: 'nope' }, timeouts), 2_000);
    expect(r.error).toMatchObject({ kind: 'login_failed' });
  });

  it('rejects connect when nothing listens', async () => {
    const port = router.port;
    await router.close();
    const r = await settlesWithin(RouterConnection.open({ ...endpoint(), port }, timeouts), 2_000);
    expect(r.error).toBeInstanceOf(RouterError);
    router = await startFakeRouter();
  });

  it('fails a command on its deadline and destroys the socket', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    router.faults = { hang: 'commands' };
    const r = await settlesWithin(c.run(['/ppp/active/print'], 200), 2_000);
    expect(r.error).toMatchObject({ kind: 'command_timeout' });
    expect(c.alive).toBe(false);
    // Only the fake's own (half-open, hung) end may remain: our side of the socket is gone.
    expect(await eventually(() => openSockets() <= baseline + router.openConnections())).toBe(true);
  });

  it('fails every waiting command when the socket closes mid-command', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    router.faults = { closeOn: '/ping' };
    const ping = c.run(['/ping', '=address=100.64.0.10', '=count=2', '=interval=20ms'], 5_000);
    const r = await settlesWithin(ping, 2_000);
    expect(r.error).toMatchObject({ kind: 'closed' });
  });

  it('fails the command when !fatal arrives mid-command', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    router.faults = { fatalOn: '/queue/simple/print' };
    const r = await settlesWithin(c.run(['/queue/simple/print'], 5_000), 2_000);
    expect(r.error).toMatchObject({ kind: 'fatal' });
  });

  it('survives an error on an idle socket (no crash from an unheard error event)', async () => {
    const dead: string[] = [];
    const c = await RouterConnection.open(endpoint(), timeouts, { onDead: (k) => dead.push(k) });
    router.resetConnections();
    expect(await eventually(() => !c.alive)).toBe(true);
    expect(dead).toHaveLength(1);
    await expect(c.run(['/ppp/active/print'], 500)).rejects.toBeInstanceOf(RouterError);
  });

  it('survives the idle-socket timeout of node-routeros', async () => {
    const c = await RouterConnection.open(endpoint(), { ...timeouts, idleSocketSeconds: 0.3 });
    expect(await eventually(() => !c.alive, 3_000)).toBe(true);
  });

  it('close() settles on a dead router that never answers the FIN', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    router.faults = { hang: 'commands' };
    const r = await settlesWithin(c.close(), 2_000);
    expect(r.settled).toBe(true);
    expect(r.error).toBeUndefined();
    // Only the fake's own (half-open, hung) end may remain: our side of the socket is gone.
    expect(await eventually(() => openSockets() <= baseline + router.openConnections())).toBe(true);
  });

  it('keeps an idle connection alive with the keepalive sentence, and stops it on close', async () => {
    const c = await RouterConnection.open(endpoint(), { ...timeouts, idleSocketSeconds: 0.4, keepalive: true });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(c.alive).toBe(true);
    expect(router.commands('#').length).toBeGreaterThan(0);
    await c.close();
  });

  it('reads replies split at every byte boundary', async () => {
    const c = await RouterConnection.open(endpoint(), timeouts);
    const reply = ['!re', '=name=ana', '=uptime=1h2m', '=address=100.64.0.10'];
    const length = reply.reduce((n, w) => n + w.length + 1, 0) + 12; // words, tag and terminator
    for (let at = 1; at < length; at++) {
      router.faults = { split: at };
      expect(await c.run(['/ppp/active/print'], 1_000)).toHaveLength(1);
    }
    router.faults = { split: 'every-byte' };
    expect(await c.run(['/ppp/active/print'], 3_000)).toHaveLength(1);
    await c.close();
  });
});
