/**
 * Broadcast throughput against the configured rate, on a real Redis and PostgreSQL:
 *  - storing a broadcast: the audience read from the built-in store and one row per
 *    recipient (`store` recipients);
 *  - handing out: recipients handed to the `outbound` queue at WHATSAPP_SEND_RATE x
 *    BROADCAST_RATE_PERCENT (the default 80/s x 80%), measured against that target, and
 *    once at 1,000/s x 100% for the dispatcher's own ceiling;
 *  - the report: `message_sent` and `delivery_status` events applied from the stream.
 *   node --conditions=@helpline/source --import tsx bench/broadcast-throughput.ts [store] [paced] [ceiling]
 */
import {
  CONVERSATION_STREAM_FIELD,
  CONVERSATION_EVENT_VERSION,
  type ConversationEvent,
  conversationStreamKey,
} from '@helpline/contracts';
import { startTestPostgres, startTestRedis, uniqueQueueName } from '@helpline/testkit';
import { createBroadcastEventReader } from '../src/broadcasts/broadcast-events.js';
import { recipientJobId } from '../src/broadcasts/broadcast-message.js';
import { accountsConfigSchema } from '../src/config.js';
import { type AccountsContext, createContext } from '../src/context.js';
import { importRecords } from '../src/import/import-records.js';
import { quietLogger } from '../test/support/logger.js';

const STORE = Number(process.argv[2] ?? 20_000);
const PACED = Number(process.argv[3] ?? 640);
const CEILING = Number(process.argv[4] ?? 5_000);

const redis = await startTestRedis();
const postgres = await startTestPostgres();
const databaseUrl = await postgres.createDatabase('bench_broadcasts');
const phoneOf = (i: number) => `300${String(10_000_000 + i).slice(1)}`;

// Every process gets the gateway's answer on windows from a stand-in: templates need none.
const noWindows = { open: async () => new Set<string>() };

function contextAt(rate: number, percent: number): AccountsContext {
  return createContext(
    accountsConfigSchema.parse({
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      WHATSAPP_SEND_RATE: String(rate),
      BROADCAST_RATE_PERCENT: String(percent),
    }),
    { prefix: uniqueQueueName('bench'), logger: quietLogger(), windows: noWindows },
  );
}

const setup = contextAt(80, 80);
await setup.db.migrate();
const rows = ['customer_id,name,phones,status,router'];
for (let i = 0; i < STORE; i++) rows.push(`B-${i},Cliente ${i},${phoneOf(i)},active,R${i % 20}`);
await importRecords(setup.db, 'customers', `${rows.join('\n')}\n`, 'csv');

const template = { kind: 'template' as const, name: 'aviso', language: 'es', header: [], body: ['{{customer_name}}'] };

// Storing: the whole base, one broadcast.
let started = performance.now();
const stored = await setup.broadcasts.service.create({
  content: template,
  audience: { kind: 'all' },
  dryRun: false,
  source: 'api',
  startAt: new Date(Date.now() + 3_600_000),
});
const storeMs = performance.now() - started;
await setup.broadcasts.dispatcher.cancel(stored.id as string);

/** Hands out `n` recipients (one router's worth of numbers) and times it. */
async function handOut(context: AccountsContext, n: number) {
  const numbers = Array.from({ length: n }, (_, i) => `+57${phoneOf(i)}`);
  const plan = await context.broadcasts.service.create({
    content: template,
    audience: { kind: 'numbers', numbers },
    dryRun: false,
    source: 'api',
  });
  const t0 = performance.now();
  let handed = 0;
  while (handed < n) handed += await context.broadcasts.dispatcher.tick();
  const seconds = (performance.now() - t0) / 1000;
  const target = (context.config.WHATSAPP_SEND_RATE * context.config.BROADCAST_RATE_PERCENT) / 100;
  return {
    id: plan.id as string,
    recipients: n,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(n / seconds),
    target,
  };
}

const paced = contextAt(80, 80);
const pacedRun = await handOut(paced, PACED);

const fast = contextAt(1_000, 100);
const ceilingRun = await handOut(fast, CEILING);

// The report: every recipient of the ceiling run sent, then delivered, read back from the stream.
const stream = conversationStreamKey(fast.prefix);
const at = new Date().toISOString();
const pipeline = fast.redis('producer').pipeline();
for (let seq = 1; seq <= CEILING; seq++) {
  const id = recipientJobId(ceilingRun.id, seq);
  const wamid = `wamid.bench.${seq}`;
  const sent: ConversationEvent = {
    v: CONVERSATION_EVENT_VERSION,
    id: `out:${id}`,
    at,
    channel: 'cloud',
    chatId: `57${phoneOf(seq - 1)}`,
    type: 'message_sent',
    message: {
      id,
      correlationId: id.replace(/-broadcast$/, ''),
      purpose: 'broadcast',
      kind: 'template',
      text: '',
      providerMessageId: wamid,
    },
  };
  const delivered: ConversationEvent = {
    v: CONVERSATION_EVENT_VERSION,
    id: `status:${wamid}:delivered`,
    at,
    channel: 'cloud',
    chatId: `57${phoneOf(seq - 1)}`,
    type: 'delivery_status',
    providerMessageId: wamid,
    status: 'delivered',
  };
  pipeline.xadd(stream, '*', CONVERSATION_STREAM_FIELD, JSON.stringify(sent));
  pipeline.xadd(stream, '*', CONVERSATION_STREAM_FIELD, JSON.stringify(delivered));
}
await pipeline.exec();
const reader = createBroadcastEventReader({
  redis: fast.redis('bench-events', 'worker'),
  stream,
  group: 'bench',
  consumer: 'bench-1',
  store: fast.broadcasts.store,
  logger: quietLogger(),
});
started = performance.now();
const events = await reader.drain();
const reportSeconds = (performance.now() - started) / 1000;
const report = await fast.broadcasts.store.report(ceilingRun.id);

process.stdout.write(
  `${JSON.stringify({
    store: { recipients: stored.recipients, ms: Math.round(storeMs) },
    paced: { ...pacedRun, id: undefined, ofTarget: Number((pacedRun.perSecond / pacedRun.target).toFixed(3)) },
    ceiling: { ...ceilingRun, id: undefined },
    report: {
      events,
      perSecond: Math.round(events / reportSeconds),
      delivered: report?.counts.delivered,
    },
  })}\n`,
);
for (const c of [setup, paced, fast]) await c.close();
await postgres.stop();
await redis.stop();
