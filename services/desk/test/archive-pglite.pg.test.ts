import { type EmbeddedPostgres, startEmbeddedPostgres } from '@helpline/embedded-postgres';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { append, auth, type Desk, events, startDesk } from './support/desk-harness.js';

// The embedded default of `npm start`: the same migrations and the same archive on PGlite,
// served over the wire protocol as the services reach it.

let redis: TestRedis;
let pglite: EmbeddedPostgres;
let desk: Desk;

// PGlite compiles and opens in tens of seconds on a loaded two-core machine (31 s measured).
beforeAll(async () => {
  redis = await startTestRedis();
  pglite = await startEmbeddedPostgres();
  desk = await startDesk(redis.url, pglite.url);
}, 180_000);
afterAll(async () => {
  await desk?.close();
  await pglite?.stop();
  await redis?.stop();
});

test('migrations apply, a second migrate is a no-op, and the archive and its Spanish search work', {
  timeout: 120_000,
}, async () => {
  const again = await desk.context.db.migrate();
  expect(again).toMatchObject({ applied: [] });
  const at = new Date('2026-04-01T12:00:00Z');
  await append(desk.context.redis('producer'), desk.context.stream, [
    events.consent('573001', 'wamid.c', 'given', at),
    events.received('573001', 'wamid.1', 'La conexión está lentísima', at),
    events.sent('573001', 'wamid.1', 'ack', 'Revisamos', new Date(at.getTime() + 30_000), { providerMessageId: 'p1' }),
    events.status('573001', 'p1', 'read', new Date(at.getTime() + 60_000)),
  ]);
  await desk.context.consumer.drain();
  const res = await desk.app.inject({ method: 'GET', url: '/api/conversations?q=conexion', headers: auth });
  expect(res.json()).toMatchObject({ total: 1, items: [{ chatId: '573001', messages: 2 }] });
  const messages = await desk.app.inject({ method: 'GET', url: '/api/conversations/573001/messages', headers: auth });
  expect(messages.json().items[0]).toMatchObject({ messageId: 'wamid.1-ack', status: 'read' });
  const stats = await desk.app.inject({
    method: 'GET',
    url: '/api/stats?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z&tz=UTC',
    headers: auth,
  });
  expect(stats.json().totals).toMatchObject({ conversations: 1, medianFirstResponseSeconds: 30, consentGiven: 1 });
  const csv = await desk.app.inject({
    method: 'GET',
    url: '/api/export/messages.csv?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z',
    headers: auth,
  });
  expect(csv.body.trim().split('\r\n')).toHaveLength(3);
});
