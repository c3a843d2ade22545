import { afterEach, describe, expect, test } from 'vitest';
import { type FakeZoho, startFakeZoho } from '../src/zoho/index.js';

const started: FakeZoho[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((zoho) => zoho.close()));
});

async function start(options: Parameters<typeof startFakeZoho>[0] = {}): Promise<FakeZoho> {
  const zoho = await startFakeZoho(options);
  started.push(zoho);
  return zoho;
}

async function refresh(
  zoho: FakeZoho,
  overrides: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: zoho.clientId,
    client_secret: zoho.clientSecret,
    refresh_token: zoho.refreshToken,
    ...overrides,
  });
  const res = await fetch(`${zoho.accountsUrl}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function accessToken(zoho: FakeZoho): Promise<string> {
  const { body } = await refresh(zoho);
  return String(body.access_token);
}

async function desk(
  zoho: FakeZoho,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  orgId: string | null = zoho.orgId,
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const headers: Record<string, string> = { authorization: `Zoho-oauthtoken ${token}` };
  if (orgId !== null) headers.orgId = orgId;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${zoho.deskUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('fake Zoho accounts', () => {
  test('issues access tokens for the refresh token grant, with the configured lifetime, and counts refreshes', async () => {
    const zoho = await start({ tokenLifetimeSeconds: 120 });
    const first = await refresh(zoho);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 120 });
    expect(String(first.body.access_token)).toMatch(/^1000\./);
    zoho.setTokenLifetime(5);
    expect((await refresh(zoho)).body.expires_in).toBe(5);
    expect(zoho.refreshCount()).toBe(2);
  });

  test('refuses wrong credentials the way Zoho does (200 with an error field) without counting them', async () => {
    const zoho = await start();
    expect((await refresh(zoho, { client_secret: 'nope' })).body).toEqual({ error: 'invalid_client' });
    expect((await refresh(zoho, { refresh_token: 'nope' })).body).toEqual({ error: 'invalid_code' });
    expect((await refresh(zoho, { grant_type: 'authorization_code' })).body).toEqual({
      error: 'unsupported_grant_type',
    });
    expect(zoho.refreshCount()).toBe(0);
  });

  test('allows only the configured number of refreshes per window', async () => {
    const zoho = await start({ refreshLimit: 2 });
    await refresh(zoho);
    await refresh(zoho);
    const third = await refresh(zoho);
    expect(third.status).toBe(400);
    expect(third.body.error).toBe('Access Denied');
    expect(zoho.refreshCount()).toBe(2);
  });

  test('outage and rate-limit modes on the token endpoint answer 503 and 429 (Retry-After), for a number of refreshes', async () => {
    const zoho = await start();
    zoho.setAccountsMode('outage', { times: 1 });
    expect((await refresh(zoho)).status).toBe(503);
    zoho.setAccountsMode('rate_limit', { times: 1 });
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: zoho.clientId,
      client_secret: zoho.clientSecret,
      refresh_token: zoho.refreshToken,
    });
    const limited = await fetch(`${zoho.accountsUrl}/oauth/v2/token`, { method: 'POST', body: form });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    await limited.text();
    // Both modes were used up; neither counted as a refresh.
    expect(zoho.refreshCount()).toBe(0);
    expect((await refresh(zoho)).status).toBe(200);
    expect(zoho.refreshCount()).toBe(1);
  });
});

describe('fake Zoho Desk', () => {
  test('checks the token and the orgId header on every call', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    expect(await desk(zoho, 'not-a-token', 'GET', '/api/v1/departments')).toMatchObject({
      status: 401,
      body: { errorCode: 'INVALID_OAUTH' },
    });
    expect(await desk(zoho, token, 'GET', '/api/v1/departments', undefined, null)).toMatchObject({ status: 400 });
    expect(await desk(zoho, token, 'GET', '/api/v1/departments', undefined, '999')).toMatchObject({
      status: 401,
      body: { errorCode: 'UNAUTHORIZED' },
    });
    const ok = await desk(zoho, token, 'GET', '/api/v1/departments');
    expect(ok.status).toBe(200);
    expect(ok.body?.data).toEqual(zoho.departments);
  });

  test('an expired token answers INVALID_OAUTH until a new one is used', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    zoho.expireTokens();
    expect(await desk(zoho, token, 'GET', '/api/v1/departments')).toMatchObject({
      status: 401,
      body: { errorCode: 'INVALID_OAUTH' },
    });
    const fresh = await accessToken(zoho);
    expect((await desk(zoho, fresh, 'GET', '/api/v1/departments')).status).toBe(200);
  });

  test('contacts: search by phone (204 when none), create, then found', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    expect((await desk(zoho, token, 'GET', '/api/v1/contacts/search?phone=%2B573001112233')).status).toBe(204);
    expect(await desk(zoho, token, 'POST', '/api/v1/contacts', { phone: '+573001112233' })).toMatchObject({
      status: 422,
      body: { errorCode: 'INVALID_DATA', errors: [{ fieldName: '/lastName', errorType: 'missing' }] },
    });
    const created = await desk(zoho, token, 'POST', '/api/v1/contacts', { lastName: 'Pérez', phone: '+573001112233' });
    expect(created.status).toBe(200);
    const found = await desk(zoho, token, 'GET', '/api/v1/contacts/search?phone=%2B573001112233');
    expect(found.body).toMatchObject({ count: 1, data: [{ id: created.body?.id, lastName: 'Pérez' }] });
  });

  test('tickets: create with a custom field, search by it, read it back, validation refusals name the field', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    const contact = zoho.addContact({ lastName: 'Gómez', phone: '+573009998877' });
    const departmentId = zoho.departments[0]!.id;
    const base = {
      subject: 'Sin internet',
      departmentId,
      contactId: contact.id,
      priority: 'High',
      cf: { cf_idempotency_key: 'k-1' },
    };
    const created = await desk(zoho, token, 'POST', '/api/v1/tickets', base);
    expect(created).toMatchObject({
      status: 200,
      body: { status: 'Open', priority: 'High', cf: { cf_idempotency_key: 'k-1' } },
    });
    const id = String(created.body?.id);
    const search = await desk(
      zoho,
      token,
      'GET',
      `/api/v1/tickets/search?customField1=${encodeURIComponent('cf_idempotency_key:k-1')}`,
    );
    expect(search.body).toMatchObject({ count: 1, data: [{ id }] });
    expect(
      (
        await desk(
          zoho,
          token,
          'GET',
          `/api/v1/tickets/search?customField1=${encodeURIComponent('cf_idempotency_key:other')}`,
        )
      ).status,
    ).toBe(204);
    zoho.setTicketStatus(id, 'Closed');
    expect((await desk(zoho, token, 'GET', `/api/v1/tickets/${id}`)).body).toMatchObject({
      status: 'Closed',
      statusType: 'Closed',
    });
    expect((await desk(zoho, token, 'GET', '/api/v1/tickets/1')).status).toBe(404);

    const refusal = async (patch: Record<string, unknown>) =>
      (await desk(zoho, token, 'POST', '/api/v1/tickets', { ...base, ...patch })).body;
    expect(await refusal({ subject: '' })).toMatchObject({ errors: [{ fieldName: '/subject' }] });
    expect(await refusal({ departmentId: '1' })).toMatchObject({
      errors: [{ fieldName: '/departmentId', errorType: 'invalid' }],
    });
    expect(await refusal({ contactId: '1' })).toMatchObject({ errors: [{ fieldName: '/contactId' }] });
    expect(await refusal({ priority: 'Whenever' })).toMatchObject({ errors: [{ fieldName: '/priority' }] });
    expect(await refusal({ cf: { cf_unknown: 'x' } })).toMatchObject({ errors: [{ fieldName: '/cf/cf_unknown' }] });
    expect(zoho.tickets()).toHaveLength(1);
  });

  test('outage and rate-limit modes answer 503 and 429, for a number of requests when asked', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    zoho.setMode('outage', { times: 2 });
    expect((await desk(zoho, token, 'GET', '/api/v1/departments')).status).toBe(503);
    expect((await desk(zoho, token, 'GET', '/api/v1/departments')).status).toBe(503);
    expect((await desk(zoho, token, 'GET', '/api/v1/departments')).status).toBe(200);
    zoho.setMode('rate_limit');
    expect(await desk(zoho, token, 'GET', '/api/v1/departments')).toMatchObject({
      status: 429,
      body: { errorCode: 'TOO_MANY_REQUESTS' },
    });
    zoho.setMode('normal');
    expect((await desk(zoho, token, 'GET', '/api/v1/departments')).status).toBe(200);
  });

  test('drop_after_create stores the ticket and then kills the connection', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    const contact = zoho.addContact({ lastName: 'Ruiz' });
    zoho.setMode('drop_after_create', { times: 1 });
    // Other calls are not affected by this mode.
    expect((await desk(zoho, token, 'GET', '/api/v1/departments')).status).toBe(200);
    const body = {
      subject: 'Router roto',
      departmentId: zoho.departments[0]!.id,
      contactId: contact.id,
      cf: { cf_idempotency_key: 'k-drop' },
    };
    await expect(desk(zoho, token, 'POST', '/api/v1/tickets', body)).rejects.toThrow();
    expect(zoho.tickets()).toHaveLength(1);
    expect(zoho.requestsTo('/api/v1/tickets', 'POST')[0]?.status).toBeNull();
    // The mode was used up: the next create is answered.
    expect(
      (await desk(zoho, token, 'POST', '/api/v1/tickets', { ...body, cf: { cf_idempotency_key: 'k-2' } })).status,
    ).toBe(200);
  });

  test('a lagging search does not see new tickets and contacts; reads by id and the contact ticket list do', async () => {
    const zoho = await start({ searchLagMs: 60_000 });
    const token = await accessToken(zoho);
    const contact = await desk(zoho, token, 'POST', '/api/v1/contacts', { lastName: 'Lag', mobile: '573001112233' });
    const contactId = String(contact.body?.id);
    const created = await desk(zoho, token, 'POST', '/api/v1/tickets', {
      subject: 'Lento',
      departmentId: zoho.departments[0]!.id,
      contactId,
      cf: { cf_idempotency_key: 'k-lag' },
    });
    const id = String(created.body?.id);
    expect(
      (
        await desk(
          zoho,
          token,
          'GET',
          `/api/v1/tickets/search?customField1=${encodeURIComponent('cf_idempotency_key:k-lag')}`,
        )
      ).status,
    ).toBe(204);
    expect((await desk(zoho, token, 'GET', '/api/v1/contacts/search?mobile=573001112233')).status).toBe(204);
    expect((await desk(zoho, token, 'GET', `/api/v1/tickets/${id}`)).body).toMatchObject({
      id,
      cf: { cf_idempotency_key: 'k-lag' },
    });
    expect((await desk(zoho, token, 'GET', `/api/v1/contacts/${contactId}/tickets`)).body).toMatchObject({
      data: [{ id }],
    });
    // Once the index catches up, search finds both.
    zoho.setSearchLag(0);
    expect(
      (
        await desk(
          zoho,
          token,
          'GET',
          `/api/v1/tickets/search?customField1=${encodeURIComponent('cf_idempotency_key:k-lag')}`,
        )
      ).body,
    ).toMatchObject({
      data: [{ id }],
    });
    expect((await desk(zoho, token, 'GET', '/api/v1/contacts/search?mobile=573001112233')).body).toMatchObject({
      data: [{ id: contactId }],
    });
  });

  test("a contact's ticket list: sorted by sortBy, paged, without custom fields; unknown parameters refused", async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    const contact = zoho.addContact({ lastName: 'Lista' });
    const other = zoho.addContact({ lastName: 'Otro' });
    const post = (contactId: string, key: string) =>
      desk(zoho, token, 'POST', '/api/v1/tickets', {
        subject: key,
        departmentId: zoho.departments[0]!.id,
        contactId,
        cf: { cf_idempotency_key: key },
      });
    const ids: string[] = [];
    for (const key of ['a', 'b', 'c']) ids.push(String((await post(contact.id, key)).body?.id));
    await post(other.id, 'x');
    const list = async (query: string) => desk(zoho, token, 'GET', `/api/v1/contacts/${contact.id}/tickets${query}`);
    const listed = async (query: string) => ((await list(query)).body?.data ?? []) as Record<string, unknown>[];

    const ascending = await listed('');
    expect(ascending.map((t) => t.id)).toEqual(ids);
    expect(ascending[0]).not.toHaveProperty('cf');
    expect((await listed('?sortBy=-createdTime&limit=2')).map((t) => t.id)).toEqual([ids[2], ids[1]]);
    expect((await listed('?from=2&limit=5')).map((t) => t.id)).toEqual([ids[2]]);
    expect(await list('?fields=cf_idempotency_key')).toMatchObject({
      status: 422,
      body: { errorCode: 'UNPROCESSABLE_ENTITY' },
    });
    expect((await list('?limit=500')).status).toBe(422);
    expect((await desk(zoho, token, 'GET', '/api/v1/contacts/4000000999999/tickets')).status).toBe(404);
  });

  test('hang mode never answers; the caller has to give up', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    zoho.setMode('hang', { times: 1 });
    const call = fetch(`${zoho.deskUrl}/api/v1/departments`, {
      headers: { authorization: `Zoho-oauthtoken ${token}`, orgId: zoho.orgId },
      signal: AbortSignal.timeout(200),
    });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  test('records every request with what the API cares about', async () => {
    const zoho = await start();
    const token = await accessToken(zoho);
    await desk(zoho, token, 'GET', '/api/v1/departments');
    expect(zoho.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /oauth/v2/token 200',
      'GET /api/v1/departments 200',
    ]);
    expect(zoho.requests[0]?.body).toMatchObject({ grant_type: 'refresh_token', client_id: zoho.clientId });
    expect(zoho.requests[1]?.headers).toMatchObject({ authorization: `Zoho-oauthtoken ${token}`, orgid: zoho.orgId });
  });
});
