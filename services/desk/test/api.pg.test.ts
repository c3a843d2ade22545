import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { API_TOKEN, append, auth, type Desk, events, startDesk } from './support/desk-harness.js';

// The staff API's edges on a real PostgreSQL: every bad parameter named in a 400, every
// filter inert to SQL, stats over a range, the CSV export, and erasure through the gateway.

let redis: TestRedis;
let postgres: TestPostgres;
let desk: Desk;
/** Stands in for the gateway's staff routes: records the calls, answers like the gateway. */
let gateway: Server;
let gatewayCalls: { method: string; url: string; authorization?: string }[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
  gateway = createServer((req: IncomingMessage, res) => {
    gatewayCalls.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (req.url?.includes('unknown')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'not_found', message: 'nothing' }));
      return;
    }
    res.end(JSON.stringify(req.method === 'DELETE' ? { forgotten: true, messages: 3 } : { closed: true }));
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await desk?.close();
  await new Promise((resolve) => gateway?.close(resolve));
  await postgres?.stop();
  await redis?.stop();
});
// One desk and one seeded archive for the file (migrating a database per test costs most of
// a second); the erasure test, which changes the data, runs last.
beforeAll(async () => {
  const port = (gateway.address() as AddressInfo).port;
  desk = await startDesk(redis.url, await postgres.createDatabase('desk_api'), {
    GATEWAY_URL: `http://127.0.0.1:${port}`,
  });
  await seed();
});
beforeEach(() => {
  gatewayCalls = [];
});

const CHAT = '573001112233';
const KNOWN = '573005554444';
const day = (d: number, hour = 15, minute = 0) => new Date(Date.UTC(2026, 2, d, hour, minute));

async function seed(): Promise<void> {
  await append(desk.context.redis('producer'), desk.context.stream, [
    events.consent(CHAT, 'wamid.c1', 'given', day(1, 14)),
    events.received(CHAT, 'wamid.1', 'hola, sin servicio', day(1, 15, 0)),
    events.sent(CHAT, 'wamid.1', 'ack', 'Revisamos', day(1, 15, 1)),
    events.sent(CHAT, 'wamid.1', 'ticket', 'Caso #7', day(1, 15, 2)),
    events.received(KNOWN, 'wamid.2', '=HYPERLINK("http://x")', day(2, 16, 0), { customerId: 'C-9' }),
    events.handoffStarted(KNOWN, 'wamid.2', day(2, 16, 1)),
    events.sent(KNOWN, 'wamid.2', 'handoff', 'Una persona te atiende, "pronto"', day(2, 16, 4)),
    events.consent(KNOWN, 'wamid.c2', 'declined', day(2, 15)),
  ]);
  await desk.context.consumer.drain();
}

const get = async (url: string, headers: Record<string, string> = auth) => {
  const res = await desk.app.inject({ method: 'GET', url, headers });
  return {
    status: res.statusCode,
    body: res.body ? safeJson(res.body) : undefined,
    raw: res.body,
    headers: res.headers,
  };
};
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

describe('parameters', () => {
  test.each([
    ['/api/conversations?page=0', 'page'],
    ['/api/conversations?per_page=1000', 'per_page'],
    ['/api/conversations?number=abc', 'number'],
    ['/api/conversations?channel=telegram', 'channel'],
    ['/api/conversations?state=lost', 'state'],
    ['/api/conversations?has_open_ticket=maybe', 'has_open_ticket'],
    ['/api/conversations?from=yesterday', 'from'],
    ['/api/conversations?to=2026-13-01', 'to'],
    ['/api/conversations?last_direction=up', 'last_direction'],
    [`/api/conversations?q=${'x'.repeat(201)}`, 'q'],
    ['/api/conversations/x/messages?per_page=-1', 'per_page'],
    ['/api/stats?tz=Mars/Base', 'tz'],
    ['/api/stats?from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z', 'from'],
    ['/api/export/messages.csv?from=2026-03-01T00:00:00Z', 'to'],
  ])('%s answers 400 naming %s', async (url, name) => {
    const res = await get(url);
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain(name);
  });

  test('no token, no data', async () => {
    expect((await get('/api/conversations', {})).status).toBe(401);
    expect((await get('/api/conversations', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
  });
});

describe('SQL injection attempts are inert in every filter', () => {
  const attempts = [
    "' OR '1'='1",
    "'; DROP TABLE messages; --",
    '1) OR (1=1',
    "x' UNION SELECT chat_id FROM chats --",
    '%',
    '_',
    '\\',
  ];
  test.each(attempts)('%s', async (attempt) => {
    const e = encodeURIComponent(attempt);
    for (const url of [
      `/api/conversations?customer_id=${e}`,
      `/api/conversations?q=${e}`,
      `/api/customers/${e}/conversations`,
      `/api/conversations/${e}`,
      `/api/conversations/${e}/messages`,
      `/api/consents/${e}`,
    ]) {
      const res = await get(url);
      // Nothing matched (no filter read the text as SQL), or the text was refused as a value.
      expect([200, 400, 404], url).toContain(res.status);
      if (res.status === 200) {
        const body = res.body as { total?: number; items?: unknown[] };
        expect(body.total ?? body.items?.length ?? 0, url).toBe(0);
      }
    }
    // The enum and date filters refuse such text outright.
    for (const name of ['channel', 'state', 'has_open_ticket', 'from', 'to', 'last_direction', 'number']) {
      expect((await get(`/api/conversations?${name}=${e}`)).status, name).toBe(400);
    }
    // And the archive is whole.
    expect(((await get('/api/conversations')).body as { total: number }).total).toBe(2);
  });
});

describe('stats', () => {
  test('totals and days over a range, in the zone asked for', async () => {
    const res = await get('/api/stats?from=2026-03-01T00:00:00-05:00&to=2026-03-03T00:00:00-05:00&tz=America/Bogota');
    expect(res.status).toBe(200);
    const body = res.body as {
      totals: Record<string, number | null>;
      days: { day: string; conversations: number; inbound: number; outbound: number }[];
      now: { customers: number };
    };
    expect(body.totals).toMatchObject({
      conversations: 2,
      inbound: 2,
      outbound: 3,
      identified: 1,
      unidentified: 1,
      handedOff: 1,
      answeredByBot: 1,
      ticketsOpened: 1,
      consentGiven: 1,
      consentDeclined: 1,
      customers: 1,
    });
    // First responses: 60 s and 240 s; the median of two is their mean.
    expect(body.totals.medianFirstResponseSeconds).toBe(150);
    expect(body.days.map((d) => [d.day, d.conversations, d.inbound, d.outbound])).toEqual([
      ['2026-03-01', 1, 1, 2],
      ['2026-03-02', 1, 1, 1],
    ]);
  });
});

describe('CSV export', () => {
  test('a range streamed as CSV, quoted and safe against spreadsheet formulas', async () => {
    const res = await get('/api/export/messages.csv?from=2026-03-01T00:00:00Z&to=2026-03-10T00:00:00Z');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.raw.trim().split('\r\n');
    expect(lines[0]).toBe(
      'at,channel,chat_id,customer_id,direction,kind,text,message_id,correlation_id,purpose,status,error_code',
    );
    expect(lines).toHaveLength(6);
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://x"")"`))).toBe(true);
    expect(lines.some((l) => l.includes('"Una persona te atiende, ""pronto"""'))).toBe(true);
  });
});

describe('actions through the gateway', () => {
  test('close and resume are carried out by the gateway, with the operator token', async () => {
    const res = await desk.app.inject({ method: 'POST', url: `/api/conversations/${CHAT}/close`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(gatewayCalls).toEqual([
      { method: 'POST', url: `/api/conversations/${CHAT}/close`, authorization: `Bearer ${API_TOKEN}` },
    ]);
    const missing = await desk.app.inject({ method: 'POST', url: '/api/conversations/unknown/resume', headers: auth });
    expect(missing.statusCode).toBe(404);
  });

  test('erasure: the gateway, then the archive; the consent evidence is kept', async () => {
    const res = await desk.app.inject({ method: 'DELETE', url: `/api/conversations/${CHAT}`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      chatId: CHAT,
      gateway: { forgotten: true },
      archive: { chats: 1, messages: 3 },
      consentRecordsKept: 1,
    });
    expect(gatewayCalls.map((c) => c.method)).toEqual(['DELETE']);
    expect((await get(`/api/conversations/${CHAT}`)).status).toBe(404);
    expect((await get(`/api/conversations/${CHAT}/messages`)).status).toBe(404);
    expect((await get(`/api/consents/${CHAT}`)).status).toBe(200);
    const csv = await get('/api/export/messages.csv?from=2026-03-01T00:00:00Z&to=2026-03-10T00:00:00Z');
    expect(csv.raw).not.toContain(CHAT);
    // An event of the chat still unread when the erasure came, then the gateway's erasure mark.
    await append(desk.context.redis('producer'), desk.context.stream, [
      events.received(CHAT, 'wamid.late', 'llegó tarde', day(1, 15, 5)),
      events.erased(CHAT, day(3)),
    ]);
    await desk.context.consumer.drain();
    expect((await get(`/api/conversations/${CHAT}`)).status).toBe(404);
  });

  test('consent records cannot be changed or deleted', async () => {
    await expect(desk.context.db.query(`DELETE FROM consent_records`)).rejects.toThrow(/append-only/);
    await expect(desk.context.db.query(`UPDATE consent_records SET decision = 'given'`)).rejects.toThrow(/append-only/);
  });
});
