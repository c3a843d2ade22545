import { createLogger, createMetrics, isPermanentError, type ServiceMetrics } from '@helpline/runtime';
import { metricValue } from '@helpline/testkit';
import { type FakeWisphub, startFakeWisphub } from '@helpline/testkit/wisphub';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWisphubDirectory, WisphubError, type WisphubOptions, WisphubRefusedError } from '@helpline/directory';
import { wisphubClients } from './support/network-config.js';
import { settlesWithin } from './support/index.js';

let wisphub: FakeWisphub;
let metrics: ServiceMetrics;
const logLines: string[] = [];

beforeEach(async () => {
  wisphub = await startFakeWisphub({ clients: wisphubClients(), pageSize: 2 });
  metrics = createMetrics('network-test');
  logLines.length = 0;
});
afterEach(async () => {
  await wisphub.close();
});

function directory(overrides: Partial<WisphubOptions> = {}) {
  return createWisphubDirectory({
    url: wisphub.url,
    apiKey: wisphub.apiKey,
    timeoutMs: 300,
    metrics,
    logger: createLogger({
      name: 'test',
      level: 'debug',
      destination: { write: (line: string) => void logLines.push(line) },
    }),
    pageSize: 2,
    ...overrides,
  });
}

const ids = (records: { customerId: string }[]) => records.map((r) => r.customerId);
const listRequests = () => wisphub.requests.filter((r) => r.path === '/api/clientes/');

describe('WispHub directory: what it asks', () => {
  it('asks by phone with the national number (no country code), by document, by PPPoE user, by id', async () => {
    const d = directory();
    expect(ids(await d.find({ phone: '+57 300 123 4567' }))).toEqual(['101']);
    expect(listRequests()[0]?.query).toEqual({ telefono: '3001234567', limit: '2' });
    expect(ids(await d.find({ documentNumber: '1002' }))).toEqual(['102']);
    expect(ids(await d.find({ pppoeUser: 'carla@isp' }))).toEqual(['103']);
    expect(ids(await d.find({ customerId: '104' }))).toEqual(['104']);
    expect(wisphub.requests.at(-1)?.path).toBe('/api/clientes/104/');
    expect(await d.find({ customerId: '999' })).toEqual([]);
    expect(await d.find({ customerId: '1; DROP' })).toEqual([]);
    expect(wisphub.requests.every((r) => r.authorization === `Api-Key ${wisphub.apiKey}`)).toBe(true);
  });

  it('several accounts on one phone are all returned', async () => {
    expect(ids(await directory().find({ phone: '3005555555' }))).toEqual(['105', '106']);
  });
});

describe('WispHub directory: a WispHub that ignores the filter cannot make other customers match', () => {
  beforeEach(() => {
    wisphub.faults = { ignoreFilters: true };
  });

  it('re-checks every client returned against the phone, document and PPPoE user asked for', async () => {
    const d = directory({ pageSize: 50 });
    expect(ids(await d.find({ phone: '+57 300 123 4567' }))).toEqual(['101']);
    expect(ids(await d.find({ phone: '3005555555' }))).toEqual(['105', '106']);
    expect(ids(await d.find({ documentNumber: '1.003' }))).toEqual(['103']);
    expect(ids(await d.find({ pppoeUser: 'dan@isp' }))).toEqual(['104']);
    expect(await d.find({ phone: '3999999999' })).toEqual([]);
    // WispHub listed all six each time
    expect(listRequests()).toHaveLength(5);
  });

  it('follows `next` through every page to find the customer on the last one', async () => {
    const found = await directory().find({ pppoeUser: 'eva2@isp' });
    expect(ids(found)).toEqual(['106']);
    expect(listRequests().map((r) => r.query.offset ?? '0')).toEqual(['0', '2', '4']);
  });

  it('stops at its page limit (and says so) rather than walking the whole customer base', async () => {
    const found = await directory({ maxPages: 2 }).find({ pppoeUser: 'eva2@isp' });
    expect(found).toEqual([]);
    expect(listRequests()).toHaveLength(2);
    expect(logLines.join('\n')).toContain('WispHub lookup stopped at its page limit');
  });

  it('follows `next` on the configured base only: a link to another origin or plain http is not where the key goes', async () => {
    wisphub.faults = { ignoreFilters: true, linkOrigin: 'http://127.0.0.2:9' };
    expect(ids(await directory().find({ pppoeUser: 'eva2@isp' }))).toEqual(['106']);
    expect(listRequests()).toHaveLength(3);
  });
});

describe('WispHub directory: failures, deadline and breaker', () => {
  it('a WispHub that never answers fails the lookup on its deadline', async () => {
    wisphub.faults = { hang: true };
    const r = await settlesWithin(directory().find({ phone: '3001234567' }), 2_000);
    expect(r.settled).toBe(true);
    expect(r.error).toBeInstanceOf(WisphubError);
    expect(r.error).toMatchObject({ message: 'WispHub did not answer within 300 ms' });
  });

  it('a body that is not JSON, or not the expected shape, is a WispHub error', async () => {
    wisphub.faults = { malformed: true };
    await expect(directory().find({ documentNumber: '1001' })).rejects.toThrow(
      'WispHub answered with a body that is not JSON',
    );
    await expect(directory().find({ customerId: '101' })).rejects.toThrow(
      'WispHub answered with a body that is not JSON',
    );
  });

  it('a refusal (wrong key) is permanent and does not count against WispHub', async () => {
    const d = createWisphubDirectory({
      url: wisphub.url,
      apiKey: 'wrong',
      timeoutMs: 300,
      metrics,
      breaker: { volumeThreshold: 2 },
    });
    for (let i = 0; i < 4; i++) {
      const error = await d.find({ documentNumber: '1001' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WisphubRefusedError);
      expect(isPermanentError(error)).toBe(true);
    }
    expect(d.breaker.opened).toBe(false);
    expect(wisphub.requests).toHaveLength(4);
  });

  it('opens its breaker after repeated failures: further lookups fail at once without calling WispHub', async () => {
    const d = directory({ breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeout: 60_000 } });
    wisphub.faults = { hang: true };
    await expect(d.find({ phone: '3001234567' })).rejects.toThrow(/did not answer/);
    wisphub.faults = { malformed: true };
    await expect(d.find({ phone: '3001234567' })).rejects.toThrow(/not JSON/);
    const asked = wisphub.requests.length;
    wisphub.faults = {};
    await expect(d.find({ phone: '3001234567' })).rejects.toThrow(/circuit breaker is open/);
    expect(wisphub.requests).toHaveLength(asked);
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'helpline_circuit_state', { breaker: 'wisphub' })).toBe(2);
  });
});

describe('the whole customer base (a broadcast audience)', () => {
  it('follows every page, past the page limit a single lookup stops at', async () => {
    // Two clients a page, more pages than the two a single lookup may follow.
    const all = await directory({ maxPages: 2 }).everyone();
    expect(ids(all)).toEqual(wisphubClients().map((c) => String(c.id_servicio)));
    expect(listRequests()).toHaveLength(Math.ceil(wisphubClients().length / 2));
    expect(all.find((c) => c.customerId === '101')).toMatchObject({ router: 'default', account: 'active' });
  });
});
