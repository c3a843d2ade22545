import { RouterOSAPI } from 'node-routeros';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeRouter, startFakeRouter } from '../src/routeros/index.js';

// These tests drive the fake with the real client (node-routeros 1.6.9), only along paths
// the client survives on its own; the faults that crash it are proven against the hardened
// wrapper in services/network.

let router: FakeRouter | undefined;
const apis: RouterOSAPI[] = [];

afterEach(async () => {
  for (const api of apis.splice(0)) {
    api.removeAllListeners();
    api.on('error', () => {});
    await api.close().catch(() => {});
  }
  await router?.close();
  router = undefined;
});

function client(r: FakeRouter, password = 'secret'): RouterOSAPI {
  const api = new RouterOSAPI({ host: r.host, port: r.port, user: 'api', password, timeout: 5 });
  api.on('error', () => {});
  apis.push(api);
  return api;
}

describe('fake RouterOS API server with node-routeros', () => {
  it('logs in the 6.43+ way and records the sentence', async () => {
    router = await startFakeRouter();
    await client(router).connect();
    const [login] = router.commands('/login');
    expect(login?.words.slice(0, 3)).toEqual(['/login', '=name=api', '=password=secret']);
    expect(login?.words[3]).toMatch(/^\.tag=/);
  });

  it('refuses a wrong password with a trap', async () => {
    router = await startFakeRouter();
    await expect(client(router, 'wrong').connect()).rejects.toThrow(/invalid|Username or password/);
  });

  it('logs in with the pre-6.43 MD5 challenge', async () => {
    router = await startFakeRouter({ login: 'md5' });
    await client(router).connect();
    const logins = router.commands('/login');
    expect(logins).toHaveLength(2);
    expect(logins[1]?.words[2]).toMatch(/^=response=00[0-9a-f]{32}$/);
  });

  it('answers prints with tagged !re rows, queries and .proplist', async () => {
    router = await startFakeRouter({
      state: {
        tables: {
          '/ppp/secret': [
            { name: 'ana', password: 'p1', profile: '10M' },
            { name: 'bob', password: 'p2', profile: '20M' },
          ],
        },
      },
    });
    const api = client(router);
    await api.connect();
    const rows = await api.write('/ppp/secret/print', ['=.proplist=name,profile', '?name=bob']);
    expect(rows).toEqual([{ name: 'bob', profile: '20M' }]);
  });

  it('traps with a category, and pings with the requested count', async () => {
    router = await startFakeRouter({ state: { ping: { '10.0.0.9': { times: [3.5, null, 2] } } } });
    const api = client(router);
    await api.connect();
    await expect(api.write('/nothing/here')).rejects.toThrow('no such command prefix');
    const replies = await api.write('/ping', ['=address=10.0.0.9', '=count=3', '=interval=10ms']);
    expect(replies).toHaveLength(3);
    expect(replies[1]).toMatchObject({ status: 'timeout', sent: '2', received: '1' });
    expect(replies[2]).toMatchObject({ 'packet-loss': '33', 'avg-rtt': '2ms750us' });
  });

  it('stops a running command on /cancel (the client stream stop sends it)', async () => {
    router = await startFakeRouter({ state: { ping: { '10.0.0.9': { times: [1, 1, 1, 1, 1, 1] } } } });
    const api = client(router);
    await api.connect();
    const stream = api.stream(['/ping', '=address=10.0.0.9', '=count=100', '=interval=20ms']);
    await new Promise((resolve) => stream.once('data', resolve));
    await stream.stop();
    const cancel = router.commands('/cancel');
    expect(cancel).toHaveLength(1);
    const ping = router.commands('/ping')[0];
    const tag = ping?.words.find((w) => w.startsWith('.tag='))?.slice(5);
    expect(cancel[0]?.words).toContain(`=tag=${tag}`);
  });

  it('answers the client keepalive sentence', async () => {
    router = await startFakeRouter();
    const api = new RouterOSAPI({
      host: router.host,
      port: router.port,
      user: 'api',
      password: 'secret',
      timeout: 1,
      keepalive: true,
    });
    api.on('error', () => {});
    apis.push(api);
    await api.connect();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(router.commands('#').length).toBeGreaterThanOrEqual(1);
    expect(api.connected).toBe(true);
  });

  it('serves a 2 MiB word (4-byte length) that the client reads whole', async () => {
    const big = 'z'.repeat(0x20_0000 + 10);
    router = await startFakeRouter({ state: { tables: { '/interface': [{ name: 'ether1', comment: big }] } } });
    const api = client(router);
    await api.connect();
    const rows = await api.write('/interface/print');
    expect((rows[0] as { comment: string }).comment.length).toBe(big.length);
  });
});
