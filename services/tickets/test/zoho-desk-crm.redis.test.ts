import { createMetrics, createRedisConnection, type Redis } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeZoho, startFakeZoho } from '@helpline/testkit/zoho';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CrmAmbiguousError, CrmRefusedError, CrmUnavailableError } from '../src/crm/crm-errors.js';
import { createZohoDeskClient } from '../src/crm/zoho/zoho-desk-client.js';
import { CONTACT_TICKETS_CHECKED, createZohoDeskCrm } from '../src/crm/zoho/zoho-desk-crm.js';
import { createZohoTokenProvider } from '../src/crm/zoho/zoho-token-provider.js';
import { createTicketsMetrics } from '../src/metrics/tickets-metrics.js';
import { silentLogger, uniquePrefix } from './support/index.js';

let redis: TestRedis;
let connection: Redis;
let zoho: FakeZoho;

beforeAll(async () => {
  redis = await startTestRedis();
  connection = createRedisConnection(redis.url, 'worker');
});
afterEach(async () => {
  await zoho?.close();
});
afterAll(async () => {
  await connection.quit();
  await redis.stop();
});

function build(
  options: {
    orgId?: string;
    refreshToken?: string;
    deadlineMs?: number;
    keyPrefix?: string;
    limitCooldownMs?: number;
  } = {},
) {
  const keyPrefix = options.keyPrefix ?? uniquePrefix();
  const metrics = createTicketsMetrics(createMetrics('tickets-test'));
  const tokens = createZohoTokenProvider({
    redis: connection,
    keyPrefix,
    accountsUrl: zoho.accountsUrl,
    clientId: zoho.clientId,
    clientSecret: zoho.clientSecret,
    refreshToken: options.refreshToken ?? zoho.refreshToken,
    deadlineMs: options.deadlineMs ?? 1_000,
    logger: silentLogger(),
    refreshes: metrics.tokenRefreshes,
    limitCooldownMs: options.limitCooldownMs,
  });
  const client = createZohoDeskClient({
    deskUrl: zoho.deskUrl,
    orgId: options.orgId ?? zoho.orgId,
    tokens,
    deadlineMs: options.deadlineMs ?? 1_000,
  });
  const crm = createZohoDeskCrm({
    client,
    defaultDepartmentId: zoho.departments[0]!.id,
    idempotencyField: 'cf_idempotency_key',
  });
  return { crm, tokens, keyPrefix };
}

const newTicket = (contactId: string, key: string) => ({
  idempotencyKey: key,
  subject: 'Sin internet',
  description: 'd',
  priority: 'medium' as const,
  category: 'connectivity' as const,
  channel: 'cloud' as const,
  contactId,
});

describe('Zoho Desk adapter', () => {
  test('many concurrent calls with no cached token cause one refresh; the token is reused after', async () => {
    zoho = await startFakeZoho();
    const { crm, tokens } = build();
    const results = await Promise.all(Array.from({ length: 12 }, () => crm.listDepartments()));
    expect(results.every((r) => r.length === 2)).toBe(true);
    expect(zoho.refreshCount()).toBe(1);
    const token = await tokens.getToken();
    await crm.listDepartments();
    expect(zoho.refreshCount()).toBe(1);
    // Every Desk call carried the token and the orgId.
    for (const r of zoho.requestsTo('/api/v1/')) {
      expect(r.headers).toEqual({
        authorization: `Zoho-oauthtoken ${token}`,
        orgid: zoho.orgId,
        contentType: undefined,
      });
    }
  });

  test('INVALID_OAUTH refreshes once and resends; a stale invalidate does not throw away the new token', async () => {
    zoho = await startFakeZoho();
    const { crm, tokens } = build();
    await crm.listDepartments();
    const old = await tokens.getToken();
    zoho.expireTokens();
    expect(await crm.listDepartments()).toHaveLength(2);
    expect(zoho.refreshCount()).toBe(2);
    const fresh = await tokens.getToken();
    expect(fresh).not.toBe(old);
    await tokens.invalidate(old);
    expect(await tokens.getToken()).toBe(fresh);
  });

  test("a wrong orgId is Zoho's refusal (UNAUTHORIZED), not a reason to refresh", async () => {
    zoho = await startFakeZoho();
    const { crm } = build({ orgId: '42' });
    const error = await crm.listDepartments().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmRefusedError);
    expect((error as CrmRefusedError).crmCode).toBe('UNAUTHORIZED');
    expect(zoho.refreshCount()).toBe(1);
  });

  test('too many refreshes (Access Denied) is retried later; a revoked refresh token is refused', async () => {
    zoho = await startFakeZoho({ refreshLimit: 0 });
    const limited = await build()
      .crm.listDepartments()
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(CrmUnavailableError);
    expect((limited as CrmUnavailableError).retryAfterMs).toBe(60_000);
    await zoho.close();

    zoho = await startFakeZoho();
    const revoked = await build({ refreshToken: 'revoked' })
      .crm.listDepartments()
      .catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(CrmRefusedError);
    expect((revoked as Error).message).toContain('invalid_code');
  });

  test('after Access Denied, replicas sharing Redis wait out one cooldown instead of asking Zoho again', async () => {
    // One refresh per 700 ms window: the second refresh is denied until the first leaves it.
    zoho = await startFakeZoho({ refreshLimit: 1, refreshWindowMs: 700 });
    const keyPrefix = uniquePrefix();
    const a = build({ keyPrefix, limitCooldownMs: 800 }).tokens;
    const b = build({ keyPrefix, limitCooldownMs: 800 }).tokens;
    const tokenRequests = () => zoho.requestsTo('/oauth/v2/token', 'POST').length;

    await a.invalidate(await a.getToken());
    const denied = await a.getToken().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(CrmUnavailableError);
    expect((denied as CrmUnavailableError).retryAfterMs).toBe(800);
    expect(tokenRequests()).toBe(2);

    // The other replica (and the first, again) do not spend a request while the cooldown runs.
    for (const replica of [b, a]) {
      const waiting = await replica.getToken().catch((e: unknown) => e);
      expect(waiting).toBeInstanceOf(CrmUnavailableError);
      expect((waiting as Error).message).toMatch(/refused refreshes as too many; refreshing again in \d+ s/);
      expect((waiting as CrmUnavailableError).retryAfterMs).toBeGreaterThan(0);
      expect((waiting as CrmUnavailableError).retryAfterMs).toBeLessThanOrEqual(800);
    }
    expect(tokenRequests()).toBe(2);

    await new Promise((resolve) => setTimeout(resolve, 850));
    expect(await b.getToken()).toMatch(/^1000\./);
    expect(tokenRequests()).toBe(3);
    expect(zoho.refreshCount()).toBe(2);
  });

  test('a 429 from the token endpoint starts the shared cooldown for its Retry-After; an outage does not', async () => {
    zoho = await startFakeZoho();
    const keyPrefix = uniquePrefix();
    const a = build({ keyPrefix }).tokens;
    const b = build({ keyPrefix }).tokens;
    const tokenRequests = () => zoho.requestsTo('/oauth/v2/token', 'POST').length;

    // 503: nothing to wait out; the next replica asks at once and gets a token.
    zoho.setAccountsMode('outage', { times: 1 });
    await expect(a.getToken()).rejects.toThrow(/answered 503 to the token refresh/);
    const token = await b.getToken();
    expect(tokenRequests()).toBe(2);

    // 429 with Retry-After: 1 s.
    await b.invalidate(token);
    zoho.setAccountsMode('rate_limit', { times: 1 });
    const limited = await a.getToken().catch((e: unknown) => e);
    expect((limited as CrmUnavailableError).retryAfterMs).toBe(1_000);
    await expect(b.getToken()).rejects.toThrow(/refreshing again in 1 s/);
    expect(tokenRequests()).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(await b.getToken()).toMatch(/^1000\./);
    expect(tokenRequests()).toBe(4);
  });

  test('contacts by mobile or phone; none is undefined (Zoho answers 204)', async () => {
    zoho = await startFakeZoho();
    const { crm } = build();
    expect(await crm.findContactByPhone('+573001112233')).toBeUndefined();
    const byPhone = zoho.addContact({ lastName: 'Old', phone: '+573001112233' });
    expect(await crm.findContactByPhone('+573001112233')).toMatchObject({ id: byPhone.id, name: 'Old' });
    const created = await crm.createContact({ phone: '+573004445566' });
    expect(zoho.contacts().find((c) => c.id === created.id)).toMatchObject({
      lastName: '+573004445566',
      mobile: '+573004445566',
    });
  });

  test('tickets: create, read, search by key; a dropped create is ambiguous; 503 and 429 are unavailable', async () => {
    zoho = await startFakeZoho();
    const { crm } = build();
    const contact = zoho.addContact({ lastName: 'X' });
    const ticket = await crm.createTicket(newTicket(contact.id, 'k-1'));
    expect(ticket).toMatchObject({ number: '101', status: 'Open', departmentId: zoho.departments[0]!.id });
    expect(await crm.getTicket(ticket.id)).toEqual(ticket);
    expect(await crm.getTicket('123')).toBeUndefined();
    expect(await crm.findTicketByIdempotencyKey('k-1')).toEqual(ticket);
    expect(await crm.findTicketByIdempotencyKey('k-none')).toBeUndefined();

    zoho.setMode('drop_after_create', { times: 1 });
    await expect(crm.createTicket(newTicket(contact.id, 'k-2'))).rejects.toBeInstanceOf(CrmAmbiguousError);
    expect((await crm.findTicketByIdempotencyKey('k-2'))?.number).toBe('102');

    zoho.setMode('outage', { times: 1 });
    const down = await crm.getTicket(ticket.id).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(CrmUnavailableError);
    expect(down).not.toBeInstanceOf(CrmAmbiguousError);
    zoho.setMode('rate_limit', { times: 1 });
    const limited = await crm.listDepartments().catch((e: unknown) => e);
    expect((limited as CrmUnavailableError).status).toBe(429);
    expect((limited as CrmUnavailableError).retryAfterMs).toBe(1_000);
  });

  test("a key the lagging search does not show yet is found among the contact's newest tickets", async () => {
    zoho = await startFakeZoho({ searchLagMs: 60_000 });
    const { crm } = build();
    const contact = zoho.addContact({ lastName: 'Z' });
    for (let i = 0; i < 6; i++) await crm.createTicket(newTicket(contact.id, `older-${i}`));
    const fresh = await crm.createTicket(newTicket(contact.id, 'k-fresh'));
    const reads = () => zoho.requests.filter((r) => /^\/api\/v1\/tickets\/\d+$/.test(r.path)).length;

    expect(await crm.findTicketByIdempotencyKey('k-fresh')).toBeUndefined();
    expect(await crm.findTicketByIdempotencyKey('k-fresh', { contactId: contact.id })).toEqual(fresh);
    // The newest ticket is read first: one read found it.
    expect(reads()).toBe(1);
    // A key none of the newest few carries: each of them is read, then nothing.
    expect(await crm.findTicketByIdempotencyKey('k-never', { contactId: contact.id })).toBeUndefined();
    expect(reads()).toBe(1 + CONTACT_TICKETS_CHECKED);
    // A contact id Desk cannot have costs no call.
    const before = zoho.requests.length;
    expect(await crm.findTicketByIdempotencyKey('k-fresh', { contactId: 'C1' })).toBeUndefined();
    expect(zoho.requests.length - before).toBe(1);
  });

  test('a hung read is unavailable after its deadline; a hung create is ambiguous', async () => {
    zoho = await startFakeZoho();
    const { crm } = build({ deadlineMs: 200 });
    await crm.listDepartments();
    zoho.setMode('hang', { times: 1 });
    await expect(crm.listDepartments()).rejects.toThrow(/no answer within 200 ms/);
    zoho.setMode('hang', { times: 1 });
    const contact = zoho.addContact({ lastName: 'Y' });
    await expect(crm.createTicket(newTicket(contact.id, 'k-hang'))).rejects.toBeInstanceOf(CrmAmbiguousError);
  });
});
