import { randomUUID } from 'node:crypto';
import { DiagnosticRequest, jobIds, type TicketRequest } from '@helpline/contracts';
import { createLogger, createMetrics } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.js';
import { createFileDirectory } from '../src/customers/file-directory.js';
import { handleDiagnosticRequest } from '../src/diagnosis/diagnose.js';
import { RouterRegistry, UnknownRouterError } from '../src/diagnosis/router-registry.js';
import { createNetworkMetrics } from '../src/metrics.js';
import { RouterClient } from '../src/routeros/router-client.js';
import { parseCidr } from '../src/routeros/safe-commands.js';
import { FAST_TUNING, testConfig } from './support/network-config.js';

let north: FakeRouter;
let south: FakeRouter;

const state = (user: string, address: string) => ({
  tables: { '/ppp/active': [{ name: user, uptime: '1h', address }] },
  ping: { [address]: { times: [1, 1, 1] } },
});

beforeEach(async () => {
  north = await startFakeRouter({ state: state('ana@isp', '100.64.1.10') });
  south = await startFakeRouter({ state: state('bob@isp', '100.64.2.10'), password: 'south-secret' });
});
afterEach(async () => {
  await north.close();
  await south.close();
});

function client(name: string, router: FakeRouter, password: string): RouterClient {
  const metrics = createMetrics('network-test');
  return new RouterClient(
    { name, host: router.host, port: router.port, username: 'api', password, tls: false },
    {
      timeouts: { connectMs: 500, closeMs: 300, idleSocketSeconds: 30, keepalive: false },
      policy: { prefixes: [parseCidr('100.64.0.0/10')], commandTimeoutMs: 500, pingMarginMs: 500 },
      poolSize: 1,
      maxConcurrent: 2,
      queueTimeoutMs: 1_000,
      idleMs: 5_000,
      metrics,
      networkMetrics: createNetworkMetrics(metrics),
      logger: createLogger({ name: 'test', level: 'silent' }),
    },
  );
}

describe('RouterRegistry with two routers', () => {
  it("chooses the customer's router by name, and only that router is asked", async () => {
    const registry = new RouterRegistry([client('north', north, 'secret'), client('south', south, 'south-secret')]);
    try {
      const forBob = registry.forCustomer({ customerId: '2', phones: [], router: 'south' });
      expect(forBob.name).toBe('south');
      expect(await forBob.run({ kind: 'ppp-active', user: 'bob@isp' })).toHaveLength(1);
      const forAna = registry.forCustomer({ customerId: '1', phones: [], router: 'north' });
      expect(forAna.name).toBe('north');
      expect(await forAna.run({ kind: 'ppp-active', user: 'ana@isp' })).toHaveLength(1);
      const asked = (router: FakeRouter) =>
        router.commands('/ppp/active/print').map((s) => s.words.find((w) => w.startsWith('?name=')));
      expect(asked(south)).toEqual(['?name=bob@isp']);
      expect(asked(north)).toEqual(['?name=ana@isp']);
    } finally {
      await registry.close();
    }
  });

  it('an unknown router name, or none on record, is an error: never a guess among several', async () => {
    const registry = new RouterRegistry([client('north', north, 'secret'), client('south', south, 'south-secret')]);
    const unknown = (() => {
      try {
        registry.forCustomer({ customerId: '3', phones: [], router: 'Torre 10.0.0.1' });
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(UnknownRouterError);
    expect(unknown).toMatchObject({
      reason: 'unknown_router',
      message: "the customer's router is not one of the 2 configured routers (MIKROTIK_ROUTERS)",
    });
    // the name on record (free text, here holding an address) is not repeated
    expect((unknown as Error).message).not.toContain('10.0.0.1');
    expect(() => registry.forCustomer({ customerId: '4', phones: [] })).toThrow(
      expect.objectContaining({ reason: 'no_router_on_record' }) as unknown as Error,
    );
    await registry.close();
    expect(north.connectionCount + south.connectionCount).toBe(0);
  });

  it('a single configured router serves everybody, whatever the record names', async () => {
    const registry = new RouterRegistry([client('north', north, 'secret')]);
    expect(registry.forCustomer({ customerId: '3', phones: [], router: 'elsewhere' }).name).toBe('north');
    expect(registry.forCustomer({ customerId: '4', phones: [] }).name).toBe('north');
    await registry.close();
  });
});

describe('diagnoses across two routers (MIKROTIK_ROUTERS)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('each customer is diagnosed on their own router; a router name not configured is an unknown report and a ticket', async () => {
    const ctx = createContext(
      testConfig({
        REDIS_URL: redis.url,
        MIKROTIK_ROUTERS: JSON.stringify([
          { name: 'north', host: north.host, port: north.port, username: 'api', password: 'secret' },
          { name: 'south', host: south.host, port: south.port, username: 'api', password: 'south-secret' },
        ]),
      }),
      {
        prefix: `test-${randomUUID()}`,
        tuning: FAST_TUNING,
        directory: createFileDirectory([
          { customerId: '1', phones: ['3001111111'], pppoeUser: 'ana@isp', serviceIp: '100.64.1.10', router: 'north' },
          { customerId: '2', phones: ['3002222222'], pppoeUser: 'bob@isp', serviceIp: '100.64.2.10', router: 'south' },
          { customerId: '3', phones: ['3003333333'], pppoeUser: 'cy@isp', serviceIp: '100.64.3.10', router: 'east' },
        ]),
      },
    );
    const req = (customerId: string) =>
      DiagnosticRequest.parse({
        correlationId: `wamid.${randomUUID()}`,
        customer: { customerId },
        replyTo: { channel: 'cloud', chatId: '573001111111', language: 'en' },
        requestedAt: new Date().toISOString(),
      });
    try {
      expect(await ctx.ready()).toBe(true);
      const bob = await handleDiagnosticRequest(req('2'), ctx);
      expect(bob).toMatchObject({ kind: 'report', report: { status: 'ok', router: 'south' } });
      expect(south.commands('/ping')).toHaveLength(1);
      expect(north.commands()).toHaveLength(0);

      const ana = await handleDiagnosticRequest(req('1'), ctx);
      expect(ana).toMatchObject({ kind: 'report', report: { status: 'ok', router: 'north' } });
      expect(north.commands('/ping')).toHaveLength(1);

      const cyRequest = req('3');
      const cy = await handleDiagnosticRequest(cyRequest, ctx);
      expect(cy).toMatchObject({ kind: 'report', report: { status: 'unknown' } });
      const session = cy.kind === 'report' ? cy.report.checks.find((c) => c.name === 'pppoe_session') : undefined;
      expect(session).toMatchObject({ result: 'error', data: { errorKind: 'unknown_router' } });
      expect(session?.finding).toMatch(/not one of the 2 configured routers/);
      expect(north.commands('/ping')).toHaveLength(1);
      expect(south.commands('/ping')).toHaveLength(1);
      const t = (await ctx.producers.tickets.queue.getJob(jobIds.ticket(cyRequest.correlationId)))?.data as
        | TicketRequest
        | undefined;
      expect(t).toMatchObject({ contact: { phone: '3003333333', customerId: '3' }, findings: { status: 'unknown' } });
    } finally {
      await ctx.close();
    }
  });
});
