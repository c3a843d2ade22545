import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { append, auth, type Desk, events, startDesk } from './support/desk-harness.js';

// The archive on a real PostgreSQL and a real Redis: events written to the stream as the
// gateway writes them, read by the desk's consumer group, queried through its HTTP API.

let redis: TestRedis;
let postgres: TestPostgres;
let desk: Desk;

beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  await redis?.stop();
});
beforeEach(async () => {
  desk = await startDesk(redis.url, await postgres.createDatabase('desk_archive'));
});
afterEach(async () => {
  await desk.close();
});

const CHAT = '573001112233';
const OTHER = '573009998877';
const t = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 14, minutes));

const get = async (url: string) => {
  const res = await desk.app.inject({ method: 'GET', url, headers: auth });
  return { status: res.statusCode, body: res.json(), raw: res.body, headers: res.headers };
};
const write = (list: Parameters<typeof append>[2]) => append(desk.context.redis('producer'), desk.context.stream, list);
const count = async (sql: string, params: unknown[] = []) =>
  Number((await desk.context.db.query<{ n: string }>(`SELECT (${sql})::text AS n`, params)).rows[0]?.n);

describe('archive', () => {
  test('a conversation both ways, statuses, consent, handoff and a close: queried as staff see it', async () => {
    await write([
      events.consent(CHAT, 'wamid.accept', 'given', t(0)),
      events.received(CHAT, 'wamid.accept', 'Acepto', t(0), { name: 'Ana Cliente' }),
      events.sent(CHAT, 'wamid.accept', 'menu', '¿En qué te ayudamos?', t(1), { providerMessageId: 'wamid.out1' }),
      // A status that arrives before its message is archived is joined all the same.
      events.status(CHAT, 'wamid.out2', 'delivered', t(3)),
      events.received(CHAT, 'wamid.q', 'No tengo conexión a Internet desde ayer', t(2)),
      events.sent(CHAT, 'wamid.q', 'ack', 'Revisamos tu conexión', t(3), {
        providerMessageId: 'wamid.out2',
        customerId: 'C-100',
        category: 'connectivity',
      }),
      events.sent(CHAT, 'wamid.q', 'ticket', 'Tu caso es el #42', t(4), { providerMessageId: 'wamid.out3' }),
      events.status(CHAT, 'wamid.out1', 'read', t(5)),
      events.status(CHAT, 'wamid.out1', 'delivered', t(4)),
      events.status(CHAT, 'wamid.out3', 'failed', t(5), { code: 131047, title: 'Re-engagement message' }),
      events.handoffStarted(CHAT, 'wamid.agent', t(6)),
      events.received(OTHER, 'wamid.o1', 'Hola, quiero pagar mi factura', t(7)),
    ]);
    expect(await desk.context.consumer.drain()).toBe(12);
    // Archived entries are deleted from the stream: it holds only what is not archived.
    expect(await desk.context.redis('producer').xlen(desk.context.stream)).toBe(0);

    const list = await get('/api/conversations');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, page: 1, per_page: 20 });
    expect(list.body.items.map((c: { chatId: string }) => c.chatId)).toEqual([OTHER, CHAT]);
    const chat = list.body.items[1];
    expect(chat).toMatchObject({
      state: 'handoff',
      customerId: 'C-100',
      name: 'Ana Cliente',
      messages: 5,
      hasOpenTicket: true,
      lastDirection: 'outbound',
      conversation: 1,
    });

    const messages = await get(`/api/conversations/${CHAT}/messages?per_page=10`);
    expect(messages.body.total).toBe(5);
    const byId = Object.fromEntries(messages.body.items.map((m: { messageId: string }) => [m.messageId, m])) as Record<
      string,
      { status: string; error: unknown; classification: { category: string } | null }
    >;
    expect(byId['wamid.accept-menu']?.status).toBe('read');
    expect(byId['wamid.q-ack']?.status).toBe('delivered');
    expect(byId['wamid.q-ticket']).toMatchObject({ status: 'failed', error: { code: 131047 } });
    // The answer's classification also lands on the customer's message it answers.
    expect(byId['wamid.q']?.classification?.category).toBe('connectivity');
    expect(byId['wamid.q']?.status).toBe('received');

    // Full-text search: Spanish stemming, accents folded either way.
    const search = async (q: string) =>
      (await get(`/api/conversations?q=${encodeURIComponent(q)}`)).body.items.map((c: { chatId: string }) => c.chatId);
    expect(await search('conexion')).toEqual([CHAT]);
    expect(await search('CONEXIÓN internet')).toEqual([CHAT]);
    expect(await search('facturas')).toEqual([OTHER]);
    expect(await search('router')).toEqual([]);

    expect((await get('/api/conversations?state=handoff')).body.total).toBe(1);
    expect((await get('/api/conversations?has_open_ticket=true')).body.items[0].chatId).toBe(CHAT);
    expect((await get('/api/conversations?has_open_ticket=false')).body.items[0].chatId).toBe(OTHER);
    expect((await get('/api/conversations?last_direction=inbound')).body.items[0].chatId).toBe(OTHER);
    expect((await get('/api/conversations?number=300-999')).body.items[0].chatId).toBe(OTHER);
    expect((await get('/api/customers/C-100/conversations')).body.total).toBe(1);
    const range = await get(`/api/conversations?from=${t(7).toISOString()}&to=${t(8).toISOString()}`);
    expect(range.body.items.map((c: { chatId: string }) => c.chatId)).toEqual([OTHER]);

    const consents = await get(`/api/consents/${CHAT}`);
    expect(consents.body).toMatchObject({
      current: 'given',
      records: [{ decision: 'given', messageId: 'wamid.accept', noticeVersion: '1' }],
    });
    expect((await get(`/api/consents/${OTHER}`)).status).toBe(404);

    // Staff close; the customer's next message starts conversation 2; a late bot answer does not.
    await write([
      events.handoffEnded(CHAT, t(8)),
      events.closed(CHAT, t(9)),
      events.sent(CHAT, 'wamid.q', 'late', 'respuesta tardía', t(10)),
    ]);
    await desk.context.consumer.drain();
    expect((await get(`/api/conversations/${CHAT}`)).body.items[0]).toMatchObject({
      state: 'closed',
      conversation: 1,
      hasOpenTicket: false,
    });
    await write([events.received(CHAT, 'wamid.back', 'hola otra vez', t(11))]);
    await desk.context.consumer.drain();
    const reopened = (await get(`/api/conversations/${CHAT}`)).body.items[0];
    expect(reopened).toMatchObject({ state: 'open', conversation: 2, closedAt: null });
    const newest = (await get(`/api/conversations/${CHAT}/messages?per_page=1`)).body.items[0];
    expect(newest).toMatchObject({ messageId: 'wamid.back', conversation: 2 });
  });

  test('a notice held back (notice_skipped) shows in the history as skipped with its reason, once, outside the stats', async () => {
    const NEW = '573005550000';
    const sentNotice = events.noticeSkipped(CHAT, 'notice-due_reminder-C-1-F-1-abc', 'due_reminder', 'opted_out', t(9));
    await write([
      events.received(CHAT, 'wamid.h1', 'hola', t(1)),
      events.sent(CHAT, 'wamid.h1', 'menu', '¿En qué te ayudamos?', t(2), { providerMessageId: 'wamid.hout1' }),
      sentNotice,
      // The gateway appends the skip again (the job retried): one row.
      sentNotice,
      // A chat that never consented, so never archived before: it gets a row, nothing else.
      events.noticeSkipped(NEW, 'notice-cut_off-C-9-F-9-def', 'cut_off', 'no_consent', t(10)),
    ]);
    expect(await desk.context.consumer.drain()).toBe(5);

    const history = await get(`/api/conversations/${CHAT}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.total).toBe(3);
    expect(history.body.items[0]).toMatchObject({
      messageId: 'notice-due_reminder-C-1-F-1-abc-due_reminder',
      direction: 'outbound',
      kind: 'notice_skipped',
      purpose: 'due_reminder',
      correlationId: 'notice-due_reminder-C-1-F-1-abc',
      status: 'skipped',
      skipped: 'opted_out',
      conversation: 1,
      at: t(9).toISOString(),
    });
    expect(history.body.items[1]).toMatchObject({ purpose: 'menu', status: 'sent', skipped: null });
    // Nothing reached the customer: the chat's last message is still the bot's menu.
    const [chat] = (await get(`/api/conversations/${CHAT}`)).body.items;
    expect(chat).toMatchObject({ lastDirection: 'outbound', lastMessageAt: t(2).toISOString() });

    const fresh = await get(`/api/conversations/${NEW}/messages`);
    expect(fresh.body.items).toEqual([
      expect.objectContaining({ purpose: 'cut_off', status: 'skipped', skipped: 'no_consent' }),
    ]);

    const stats = await get('/api/stats?from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z&tz=UTC');
    expect(stats.body.totals).toMatchObject({ conversations: 1, inbound: 1, outbound: 1 });
  });

  test('each event once: repeated within a batch, across batches, and a batch read again', async () => {
    const list = [
      events.received(CHAT, 'wamid.a', 'uno', t(0)),
      events.received(CHAT, 'wamid.a', 'uno', t(0)),
      events.status(CHAT, 'wamid.x', 'read', t(1)),
    ];
    await write(list);
    await desk.context.consumer.drain();
    await write(list);
    await desk.context.consumer.drain();
    expect(await count(`SELECT count(*) FROM messages`)).toBe(1);
    expect(await count(`SELECT count(*) FROM delivery_statuses`)).toBe(1);
    const duplicates = await desk.context.metrics.registry
      .getSingleMetric('helpline_desk_events_duplicate_total')
      ?.get();
    expect(duplicates?.values[0]?.value).toBe(4);
  });

  test('an entry that is no event is kept in rejected_events and acknowledged; the rest of its batch is archived', async () => {
    const redisClient = desk.context.redis('producer');
    await redisClient.xadd(desk.context.stream, '*', 'event', '{"v":99,"type":"message_received"}');
    await redisClient.xadd(desk.context.stream, '*', 'event', 'not json');
    await write([events.received(CHAT, 'wamid.ok', 'bien', t(0))]);
    await desk.context.consumer.drain();
    expect(await count(`SELECT count(*) FROM messages`)).toBe(1);
    const rejected = await get('/api/archive/rejected');
    expect(rejected.body.items.map((r: { reason: string }) => r.reason).sort()).toEqual(
      expect.arrayContaining(['not JSON']),
    );
    expect(rejected.body.items).toHaveLength(2);
    expect(await redisClient.xlen(desk.context.stream)).toBe(0);
  });

  test('a NUL in a text does not fail its batch', async () => {
    await write([events.received(CHAT, 'wamid.nul', 'antes\u0000después', t(0))]);
    await desk.context.consumer.drain();
    const [message] = (await get(`/api/conversations/${CHAT}/messages`)).body.items;
    expect(message.text).toBe('antesdespués');
  });

  test('entries a dead consumer read and never acknowledged are reclaimed and archived once', async () => {
    await write([events.received(CHAT, 'wamid.p1', 'uno', t(0)), events.received(CHAT, 'wamid.p2', 'dos', t(1))]);
    // Another desk read them into its pending list and died before its COMMIT.
    await desk.context.redis('producer').xgroup('CREATE', desk.context.stream, 'desk-archive', '0', 'MKSTREAM');
    await desk.context
      .redis('producer')
      .xreadgroup('GROUP', 'desk-archive', 'dead-desk', 'COUNT', 10, 'STREAMS', desk.context.stream, '>');
    // Nothing new to read: only the reclaim (claimIdleMs 200 in tests) finds them.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await desk.context.consumer.drain();
    expect(await count(`SELECT count(*) FROM messages`)).toBe(2);
    const pending = (await desk.context.redis('producer').xpending(desk.context.stream, 'desk-archive')) as [number];
    expect(pending[0]).toBe(0);
  });

  test('the lag: events not archived and the age of the oldest, read at scrape time', async () => {
    const metric = async (name: string) =>
      (await desk.context.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;
    await write([events.received(CHAT, 'wamid.l1', 'uno', t(0)), events.received(CHAT, 'wamid.l2', 'dos', t(1))]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await metric('helpline_desk_archive_lag_events')).toBe(2);
    expect(await metric('helpline_desk_archive_oldest_unarchived_seconds')).toBeGreaterThanOrEqual(1);
    await desk.context.consumer.drain();
    expect(await metric('helpline_desk_archive_lag_events')).toBe(0);
    expect(await metric('helpline_desk_archive_oldest_unarchived_seconds')).toBe(0);
  });

  test('a pending entry deleted from the stream (an erasure took it) leaves the pending list', async () => {
    const redisClient = desk.context.redis('producer');
    await write([events.received(CHAT, 'wamid.d1', 'uno', t(0))]);
    // This desk read it, then died before its COMMIT; meanwhile the gateway's erasure deleted it.
    await redisClient.xgroup('CREATE', desk.context.stream, 'desk-archive', '0', 'MKSTREAM');
    const name = (await import('node:os')).hostname();
    const consumerName = `${name}-${desk.context.config.DESK_PORT}`;
    const read = (await redisClient.xreadgroup(
      'GROUP',
      'desk-archive',
      consumerName,
      'STREAMS',
      desk.context.stream,
      '>',
    )) as [string, [string, string[]][]][];
    const id = read[0]?.[1][0]?.[0] ?? '';
    await redisClient.xdel(desk.context.stream, id);
    await desk.context.consumer.drain();
    const pending = (await redisClient.xpending(desk.context.stream, 'desk-archive')) as [number];
    expect(pending[0]).toBe(0);
    expect(await count(`SELECT count(*) FROM messages`)).toBe(0);
  });

  test('the archive survives FLUSHALL; the consumer makes its group again and goes on', async () => {
    await write([events.received(CHAT, 'wamid.f1', 'antes del flush', t(0))]);
    desk.context.consumer.start();
    await waitUntil(async () => (await count(`SELECT count(*) FROM messages`)) === 1);
    await desk.context.redis('producer').flushall();
    await write([events.received(CHAT, 'wamid.f2', 'después del flush', t(1))]);
    await waitUntil(async () => (await count(`SELECT count(*) FROM messages`)) === 2);
    expect((await get(`/api/conversations/${CHAT}/messages`)).body.total).toBe(2);
  });

  test('after a part-full batch the consumer lingers, so a trickle is written in few transactions; stop cuts the wait short', async () => {
    const lingering = await startDesk(
      redis.url,
      await postgres.createDatabase('desk_linger'),
      {},
      {
        consumer: { blockMs: 100, claimIdleMs: 200, lingerMs: 60_000 },
      },
    );
    try {
      const archived = async () =>
        Number(
          (await lingering.context.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM messages`)).rows[0]?.n,
        );
      await append(lingering.context.redis('producer'), lingering.context.stream, [
        events.received(CHAT, 'wamid.l1', 'primero', t(0)),
      ]);
      lingering.context.consumer.start();
      await waitUntil(async () => (await archived()) === 1);
      // The batch held one entry of 500: the consumer now waits before reading again.
      await append(lingering.context.redis('producer'), lingering.context.stream, [
        events.received(CHAT, 'wamid.l2', 'segundo', t(1)),
        events.received(CHAT, 'wamid.l3', 'tercero', t(2)),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await archived()).toBe(1);
      // Stopping does not wait the minute out (the test's own timeout would fail it).
      await lingering.context.consumer.stop();
      // The two entries were never read: they wait in the stream for the next consumer.
      expect(await lingering.context.redis('producer').xlen(lingering.context.stream)).toBe(2);
    } finally {
      await lingering.close();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
