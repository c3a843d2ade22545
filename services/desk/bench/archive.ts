/**
 * The desk's benchmark, two figures:
 *
 * - `redisCommands`: Redis commands per conversation message on the gateway's reply path,
 *   before and after the event stream, counted with MONITOR while the real gateway takes
 *   consented customers' messages through signed webhooks and sends one answer to each
 *   through its outbound worker to the fake Graph API. "Before" is the same run without
 *   the stream's XADDs: each rides inside a script or MULTI the path already sent, so
 *   they are the only commands the stream adds (the gateway's tests check that).
 * - `archive`: the sustained insert rate of the archive: BENCH_EVENTS events (a message in,
 *   an answer out, two statuses of it) written to the stream, then read and committed by
 *   the desk's consumer in batches of ARCHIVE_BATCH_SIZE.
 *
 *   npm run bench -w @helpline/desk
 *
 * Needs PostgreSQL as the tests do (DATABASE_URL, the default address, or initdb on PATH).
 */
import { once } from 'node:events';
import { jobIds } from '@helpline/contracts';
import { monitorRedis, startTestPostgres, startTestRedis, waitFor } from '@helpline/testkit';
import { startFakeGraphApi } from '@helpline/testkit/meta-graph';
import { buildApp as buildGateway } from '@helpline/gateway/src/app.js';
import { parseGatewayConfig } from '@helpline/gateway/src/config.js';
import { createContext as createGatewayContext } from '@helpline/gateway/src/context.js';
import { startWorkers } from '@helpline/gateway/src/workers.js';
import { buildSignedWebhookRequest } from '@helpline/testkit';
import { append, events, startDesk } from '../test/support/desk-harness.js';
import { createLogger } from '@helpline/runtime';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 40_000);
const BATCH = process.env.ARCHIVE_BATCH_SIZE ?? '500';
const SECRET = 'bench-app-secret';
const TOKEN = 'bench-graph-token';
const PHONE_ID = '106540352242922';

const redis = await startTestRedis({ spawn: true });
const postgres = await startTestPostgres();
const log = (line: string) => process.stderr.write(`desk bench: ${line}\n`);

async function redisCommands() {
  const graph = await startFakeGraphApi({ accessToken: TOKEN, phoneNumberId: PHONE_ID });
  const config = parseGatewayConfig({
    META_APP_SECRET: SECRET,
    API_TOKEN: 'bench-operator-token-0123',
    WHATSAPP_ACCESS_TOKEN: TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_ID,
    GRAPH_API_URL: graph.url,
    RATE_LIMIT_PER_MINUTE: '10000',
  });
  const context = createGatewayContext(config, {
    redisUrl: redis.url,
    prefix: 'benchgw',
    logger: createLogger({ name: 'bench', level: 'silent' }),
  });
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  const app = await buildGateway(context);
  startWorkers(context);
  let n = 0;
  const post = async (from: string, message: Record<string, unknown>) => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '1', phone_number_id: PHONE_ID },
                contacts: [{ profile: { name: 'Cliente' }, wa_id: from }],
                messages: [{ from, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
              },
            },
          ],
        },
      ],
    };
    const signed = buildSignedWebhookRequest({ body, appSecret: SECRET });
    const res = await app.inject({ method: 'POST', url: '/webhook', payload: signed.payload, headers: signed.headers });
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
  };
  const chats = Array.from({ length: 20 }, (_, i) => `57300${String(i).padStart(7, '0')}`);
  const drained = () =>
    waitFor(async () => {
      const counts = await context.producers.outbound.queue.getJobCounts('waiting', 'active', 'delayed');
      return Object.values(counts).every((c) => c === 0);
    }, 60_000);
  // Consent first, outside the count.
  for (const chat of chats) {
    await post(chat, { id: `wamid.hi.${chat}`, type: 'text', text: { body: 'hola' } });
    await post(chat, {
      id: `wamid.ok.${chat}`,
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'consent.accept.1', title: 'Acepto' } },
    });
  }
  await drained();

  const seen = { client: 0, scripts: 0, stream: 0, streamFromClient: 0 };
  const monitor = await monitorRedis(redis.url, ({ args, source }) => {
    const lua = source === 'lua';
    if (lua) seen.scripts += 1;
    else seen.client += 1;
    if (String(args[0]).toLowerCase() === 'xadd' && args[1] === context.events.key) {
      seen.stream += 1;
      if (!lua) seen.streamFromClient += 1;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = { ...seen };
  for (let i = 0; i < MESSAGES; i++) {
    const chat = chats[i % chats.length] ?? '';
    const id = `wamid.bench.${++n}`;
    await post(chat, { id, type: 'text', text: { body: `consulta número ${i}` } });
    await context.producers.outbound.add(
      { correlationId: id, purpose: 'ack', channel: 'cloud', to: chat, content: { kind: 'text', body: 'Recibido' } },
      { jobId: jobIds.outbound(id, 'ack') },
    );
  }
  await drained();
  await new Promise((resolve) => setTimeout(resolve, 500));
  monitor.stop();
  await app.close();
  await context.close();
  await graph.close();
  const client = seen.client - before.client;
  const all = client + seen.scripts - before.scripts;
  const stream = seen.stream - before.stream;
  const perMessage = (value: number) => Math.round((value / MESSAGES) * 100) / 100;
  return {
    messages: MESSAGES,
    note: 'one customer message and one answer each; client = commands the gateway sends (MULTI, EVALSHA, ...), all = those plus the commands its scripts run; BullMQ and the outbound worker included',
    streamXaddsPerMessage: perMessage(stream),
    streamXaddsSentByTheClient: seen.streamFromClient - before.streamFromClient,
    clientCommandsPerMessage: { before: perMessage(client), after: perMessage(client) },
    allCommandsPerMessage: { before: perMessage(all - stream), after: perMessage(all) },
  };
}

async function archiveRate() {
  const desk = await startDesk(redis.url, await postgres.createDatabase('desk_bench'), { ARCHIVE_BATCH_SIZE: BATCH });
  const at = Date.now() - 3600_000;
  const perMessage = 4;
  for (let start = 0; start < EVENTS / perMessage; start += 500) {
    const list = [];
    for (let i = start; i < Math.min(EVENTS / perMessage, start + 500); i++) {
      const chat = `5731${i % 5000}`;
      const when = new Date(at + i);
      list.push(
        events.received(chat, `wamid.in.${i}`, `no tengo conexión a internet ${i}`, when),
        events.sent(chat, `wamid.in.${i}`, 'ack', 'Revisamos tu conexión', when, {
          providerMessageId: `wamid.out.${i}`,
        }),
        events.status(chat, `wamid.out.${i}`, 'delivered', when),
        events.status(chat, `wamid.out.${i}`, 'read', when),
      );
    }
    await append(desk.context.redis('producer'), desk.context.stream, list);
  }
  const started = performance.now();
  const archived = await desk.context.consumer.drain();
  const seconds = (performance.now() - started) / 1000;
  const rows = await desk.context.db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages');
  await desk.close();
  return {
    events: archived,
    messages: Number(rows.rows[0]?.n ?? 0),
    batchSize: Number(BATCH),
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round(archived / seconds),
    messagesPerSecond: Math.round(Number(rows.rows[0]?.n ?? 0) / seconds),
  };
}

try {
  log('Redis commands per message');
  const commands = await redisCommands();
  log('archive insert rate');
  const archive = await archiveRate();
  process.stdout.write(`${JSON.stringify({ redisCommands: commands, archive }, null, 2)}\n`);
} finally {
  await postgres.stop();
  await redis.stop();
  // A connection of the queue dashboard may still be retrying the stopped Redis: nothing left to wait for.
  process.exit(process.exitCode ?? 0);
}
