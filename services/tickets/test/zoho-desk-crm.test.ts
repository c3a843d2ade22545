import { createMetrics, createRedisConnection, type Redis } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeZoho, startFakeZoho } from '@helpline/testkit/zoho';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CrmAmbiguousError, CrmRefusedError, CrmUnavailableError } from '../src/crm/crm-errors.js';
import { createZohoDeskClient } from '../src/crm/zoho/zoho-desk-client.js';
import { createZohoDeskCrm } from '../src/crm/zoho/zoho-desk-crm.js';
import { createZohoTokenProvider } from '../src/crm/zoho/zoho-token-provider.js';
import { createTicketsMetrics } from '../src/metrics/tickets-metrics.js';
import { silentLogger, uniquePrefix } from './support.js';

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

function build(options: { orgId?: string; refreshToken?: string; deadlineMs?: number; keyPrefix?: string } = {}) {
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
  });
  const client = createZohoDeskClient({ deskUrl: zoho.deskUrl, orgId: options.orgId ?? zoho.orgId, tokens, deadlineMs: options.deadlineMs ?? 1_000 });
  const crm = createZohoDeskCrm({ client, defaultDepartmentId: zoho.departments[0]!.id, idempotencyField: 'cf_idempotency_key' });
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
      expect(r.headers).toEqual({ authorization: `Zoho-oauthtoken ${token}`, orgid: zoho.orgId, contentType: undefined });
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
    const limited = await build().crm.listDepartments().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(CrmUnavailableError);
    expect((limited as CrmUnavailableError).retryAfterMs).toBe(60_000);
    await zoho.close();

    zoho = await startFakeZoho();
    const revoked = await build({ refreshToken: 'revoked' }).crm.listDepartments().catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(CrmRefusedError);
    expect((revoked as Error).message).toContain('invalid_code');
  });

  test('contacts by mobile or phone; none is undefined (Zoho answers 204)', async () => {
    zoho = await startFakeZoho();
    const { crm } = build();
    expect(await crm.findContactByPhone('+573001112233')).toBeUndefined();
    const byPhone = zoho.addContact({ lastName: 'Old', phone: '+573001112233' });
    expect(await crm.findContactByPhone('+573001112233')).toMatchObject({ id: byPhone.id, name: 'Old' });
    const created = await crm.createContact({ phone: '+573004445566' });
    expect(zoho.contacts().find((c) => c.id === created.id)).toMatchObject({ lastName: '+573004445566', mobile: '+573004445566' });
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
