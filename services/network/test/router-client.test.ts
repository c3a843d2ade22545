import { createLogger, createMetrics } from '@helpline/runtime';
import { metricValue } from '@helpline/testkit';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNetworkMetrics } from '../src/metrics.js';
import { UnsafeValueError } from '../src/routeros/errors.js';
import { RouterClient, type RouterClientOptions } from '../src/routeros/router-client.js';
import { ALLOWED_COMMANDS, parseCidr } from '../src/routeros/safe-commands.js';
import { eventually, openSockets } from './support/index.js';

let router: FakeRouter;
let client: RouterClient;
let baseline: number;
let metrics: ReturnType<typeof createMetrics>;

function makeClient(overrides: Partial<RouterClientOptions> = {}): RouterClient {
  metrics = createMetrics('network-test');
  return new RouterClient(
    { name: 'core', host: router.host, port: router.port, username: 'api', password: 'secret', tls: false },
    {
      timeouts: { connectMs: 500, closeMs: 300, idleSocketSeconds: 30, keepalive: false },
      policy: { prefixes: [parseCidr('100.64.0.0/10')], commandTimeoutMs: 500, pingMarginMs: 500 },
      poolSize: 2,
      maxConcurrent: 3,
      queueTimeoutMs: 2_000,
      idleMs: 5_000,
      metrics,
      networkMetrics: createNetworkMetrics(metrics),
      logger: createLogger({ name: 'test', level: 'silent' }),
      ...overrides,
    },
  );
}

beforeEach(async () => {
  baseline = openSockets();
  router = await startFakeRouter({
    state: {
      tables: { '/ppp/active': [{ name: 'ana', uptime: '1h', address: '100.64.0.10' }] },
      ping: { '100.64.0.10': { times: [1, 1, 1] } },
    },
  });
  client = makeClient();
});

afterEach(async () => {
  await client.close();
  await router.close();
  expect(await eventually(() => openSockets() <= baseline)).toBe(true);
});

describe('RouterClient: pool, limit, breaker, allow-list', () => {
  it('reuses pooled connections', async () => {
    for (let i = 0; i < 5; i++) await client.run({ kind: 'ppp-active', user: 'ana' });
    expect(router.connectionCount).toBe(1);
  });

  it('keeps at most maxConcurrent commands in flight and at most poolSize connections', async () => {
    await client.run({ kind: 'ppp-active', user: 'ana' }); // one connection open before the burst
    const pings = Array.from({ length: 6 }, () =>
      client.run({ kind: 'ping', address: '100.64.0.10', count: 3, intervalMs: 100 }),
    );
    // Each ping takes about 250 ms at the fake; shortly after the burst only three have reached it.
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(router.commands('/ping')).toHaveLength(3);
    await Promise.all(pings);
    expect(router.commands('/ping')).toHaveLength(6);
    expect(router.connectionCount).toBeLessThanOrEqual(2);
  });

  it('opens the breaker after repeated failures and says so on the metric', async () => {
    router.faults = { hang: 'login' };
    client = makeClient({ breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeout: 60_000 } });
    for (let i = 0; i < 2; i++)
      await expect(client.run({ kind: 'ppp-active', user: 'ana' })).rejects.toMatchObject({ kind: 'connect_timeout' });
    await expect(client.run({ kind: 'ppp-active', user: 'ana' })).rejects.toMatchObject({ kind: 'breaker_open' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/helpline_circuit_state\{breaker="router:core",service="network-test"\} 2/);
    expect(text).toMatch(
      /helpline_routeros_errors_total\{router="core",kind="connect_timeout",service="network-test"\} 2/,
    );
  });

  it('does not count RouterOS 7.18+ !empty replies as router errors; unknown words and tags still count', async () => {
    router.faults = { emptyReplies: true };
    expect(await client.run({ kind: 'ppp-active', user: 'nobody' })).toEqual([]);
    expect(await client.run({ kind: 'queues', name: 'nobody' })).toEqual([]);
    let text = await metrics.registry.metrics();
    expect(text).not.toMatch(/helpline_routeros_errors_total\{/);
    router.faults = { unknownTag: true };
    await client.run({ kind: 'ppp-active', user: 'ana' });
    router.faults = { unknownReply: true };
    await expect(client.run({ kind: 'ppp-active', user: 'ana' })).rejects.toMatchObject({ kind: 'unknown_reply' });
    text = await metrics.registry.metrics();
    // the stray sentence, and the router's own `!done` after the unknown word (its command already failed)
    expect(metricValue(text, 'helpline_routeros_errors_total', { router: 'core', kind: 'unknown_tag' })).toBe(2);
    expect(metricValue(text, 'helpline_routeros_errors_total', { router: 'core', kind: 'unknown_reply' })).toBe(1);
    expect(metricValue(text, 'helpline_routeros_errors_total', { router: 'core', kind: 'empty' })).toBeUndefined();
  });

  it('records command latency by command word', async () => {
    await client.run({ kind: 'ppp-active', user: 'ana' });
    const text = await metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('helpline_routeros_command_duration_seconds_count{'));
    expect(line).toContain('command="/ppp/active/print"');
    expect(line).toContain('router="core"');
    expect(line?.endsWith(' 1')).toBe(true);
  });

  it('injection: what a customer typed never becomes a command or attribute word', async () => {
    const attempts = [
      'x\n/system/reboot',
      '=password=',
      'a b',
      '?name=',
      'ana\u0000/system/reset',
      '/system/reboot',
      '.tag=1',
      'a'.repeat(5_000),
      'ñandú',
      '💥',
      'ana=x',
      '100.64.0.10\n/system/reboot',
    ];
    let refused = 0;
    for (const value of attempts) {
      for (const run of [
        () => client.run({ kind: 'ppp-active', user: value }),
        () => client.run({ kind: 'ppp-secret', user: value }),
        () => client.run({ kind: 'ping', address: value, count: 1, intervalMs: 20 }),
        () => client.run({ kind: 'arp', address: value }),
        () => client.run({ kind: 'monitor-traffic', interface: value }),
        () => client.run({ kind: 'queues', name: value }),
      ]) {
        await expect(run()).rejects.toBeInstanceOf(UnsafeValueError);
        refused++;
      }
    }
    expect(refused).toBe(attempts.length * 6);
    // A legitimate command afterwards, so the record is not empty by accident.
    await client.run({ kind: 'ppp-active', user: 'ana' });
    const commandWords = router.received.map((s) => s.words[0]);
    expect(new Set(commandWords)).toEqual(new Set(['/login', '/ppp/active/print']));
    for (const sentence of router.received) {
      expect(['/login', ...ALLOWED_COMMANDS]).toContain(sentence.words[0]);
      for (const word of sentence.words) {
        expect(word).not.toMatch(/[\n\r ]|reboot|reset|💥|ñ/);
        expect(word.includes(String.fromCharCode(0))).toBe(false);
      }
    }
    expect(router.commands('/ppp/active/print')[0]?.words).toContain('?name=ana');
  });
});
