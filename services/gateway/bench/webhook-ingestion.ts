/**
 * Signed webhook ingestion against a bare Fastify route answering the same body, with the
 * same load tool in the same run, twice over:
 *
 * - `ingestion`: the channel alone (verify the signature over the raw bytes, parse,
 *   normalise, store on `inbound`, answer), with the plain sink that only tests use;
 * - `conversation`: the production path, every message through the customer conversation
 *   (a chat that has consented: stored decision, rate count, log, history, `inbound`).
 *
 * Each server runs in its own process (bench-server.ts); this process only drives the load.
 * Prints JSON.
 *
 *   npm run bench -w @helpline/gateway
 *
 * BENCH_DURATION (seconds per phase, default 5), BENCH_CONNECTIONS (default 50),
 * BENCH_RATE (fixed-rate phase, default 500 req/s), BENCH_CHATS (consented chats the
 * conversation's messages are spread over, default 2000). Only 127.0.0.1 is ever loaded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { signMetaWebhook, startTestRedis, uniqueQueueName } from '@helpline/testkit';
import { signTwilioRequest, twilioInboundParams } from '@helpline/testkit/twilio';
import autocannon from 'autocannon';
import { benchChatId } from './bench-chats.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const POOL = Number(process.env.BENCH_POOL ?? 40_000);
const CHATS = Number(process.env.BENCH_CHATS ?? 2000);
const SECRET = 'bench-app-secret';

/**
 * A one-message payload, non-ASCII escaped as Meta writes it, with a new wamid each time,
 * from the n-th of the benchmark's chats (round robin: no chat writes fast enough to meet
 * the conversation's rate limit).
 */
let sender = 0;
function signedRequest() {
  const id = `wamid.BENCH${randomUUID().replaceAll('-', '')}`;
  const from = benchChatId(sender++ % CHATS);
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Cliente Bench' }, wa_id: from }],
              messages: [
                {
                  from,
                  id,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: 'Hola, no tengo internet desde la mañana 📶' },
                },
              ],
            },
          },
        ],
      },
    ],
  }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(body, SECRET) },
  };
}

/** The public URL the Twilio phase's gateway is told Twilio calls (and signs). */
const TWILIO_URL = 'https://helpline.example.com/webhook/twilio';
const TWILIO_TOKEN = 'bench-twilio-auth-token-0123456789';
const TWILIO_ACCOUNT = `AC${'b'.repeat(32)}`;

/** One incoming WhatsApp message as Twilio posts it: form-encoded, signed over the public URL. */
function signedTwilioRequest() {
  const sid = `SM${randomUUID().replaceAll('-', '')}`;
  const from = benchChatId(sender++ % CHATS);
  const params = twilioInboundParams({
    accountSid: TWILIO_ACCOUNT,
    from,
    to: '+15550100000',
    body: 'Hola, no tengo internet desde la mañana 📶',
    messageSid: sid,
  });
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(TWILIO_TOKEN, TWILIO_URL, params),
    },
  };
}

/**
 * Requests are signed before a phase starts, so that the load tool spends its time
 * sending, not hashing. Past the pool's end wamids repeat (answered as duplicates).
 */
function requestPool(size: number, channel: 'cloud' | 'twilio' = 'cloud') {
  const make: () => { body: string; headers: Record<string, string> } =
    channel === 'twilio' ? signedTwilioRequest : signedRequest;
  const pool = Array.from({ length: size }, make);
  let next = 0;
  const path = channel === 'twilio' ? '/webhook/twilio' : '/webhook';
  return [{ method: 'POST', path, setupRequest: (req: object) => ({ ...req, ...pool[next++ % pool.length] }) }];
}

interface Server {
  url: string;
  child: ChildProcess;
  lines: AsyncIterator<string>;
}

type Counts = { accepted: number | null; stored: number | null; rateLimited?: number | null };

async function startServer(
  kind: 'gateway' | 'conversation' | 'bare' | 'twilio',
  env: Record<string, string>,
): Promise<Server> {
  const script = fileURLToPath(new URL('./bench-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=@helpline/source', '--import', 'tsx', script, kind], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error(`${kind} server exited before listening`);
  return { url: (JSON.parse(first.value) as { url: string }).url, child, lines };
}

async function stopServer(server: Server): Promise<Counts> {
  server.child.kill('SIGTERM');
  const last = await server.lines.next();
  await once(server.child, 'exit').catch(() => {});
  return last.done ? { accepted: null, stored: null } : (JSON.parse(last.value) as Counts);
}

async function measure(url: string, channel: 'cloud' | 'twilio' = 'cloud') {
  await autocannon({ url, connections: 10, amount: 1000, requests: requestPool(1000, channel) });
  const max = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: requestPool(POOL, channel),
  });
  const fixed = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    overallRate: RATE,
    requests: requestPool(POOL, channel),
  });
  return {
    maxThroughput: {
      reqPerSec: max.requests.average,
      p99Ms: max.latency.p99,
      total: max.requests.total,
      non2xx: max.non2xx,
      errors: max.errors,
    },
    atFixedRate: {
      rate: RATE,
      reqPerSec: fixed.requests.average,
      p50Ms: fixed.latency.p50,
      p99Ms: fixed.latency.p99,
      non2xx: fixed.non2xx,
      errors: fixed.errors,
    },
  };
}

const redis = await startTestRedis();
try {
  const bare = await startServer('bare', {});
  const bareRoute = await measure(bare.url);
  await stopServer(bare);

  const serverEnv = (kind: string) => ({
    BENCH_REDIS_URL: redis.url,
    BENCH_PREFIX: uniqueQueueName(`bench-${kind}`),
    BENCH_SECRET: SECRET,
    BENCH_CHATS: String(CHATS),
  });
  const gateway = await startServer('gateway', serverEnv('plain'));
  const ingestion = await measure(gateway.url);
  const counts = await stopServer(gateway);

  const twilioServer = await startServer('twilio', {
    ...serverEnv('twilio'),
    BENCH_TWILIO_URL: TWILIO_URL,
    BENCH_TWILIO_TOKEN: TWILIO_TOKEN,
    BENCH_TWILIO_ACCOUNT: TWILIO_ACCOUNT,
  });
  const twilioIngestion = await measure(twilioServer.url, 'twilio');
  const twilioCounts = await stopServer(twilioServer);

  const conversationServer = await startServer('conversation', serverEnv('conversation'));
  const conversation = await measure(conversationServer.url);
  const conversationCounts = await stopServer(conversationServer);

  const ratio = ingestion.maxThroughput.reqPerSec / bareRoute.maxThroughput.reqPerSec;
  const conversationRatio = conversation.maxThroughput.reqPerSec / bareRoute.maxThroughput.reqPerSec;
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'webhook-ingestion',
        tool: 'autocannon',
        durationSecondsPerPhase: DURATION,
        connections: CONNECTIONS,
        node: process.version,
        loadAverageAtEnd: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))),
        bareRoute,
        ingestion,
        messagesAcceptedByWebhook: counts.accepted,
        jobsStoredInRedis: counts.stored,
        ingestionToBareRatio: Number(ratio.toFixed(3)),
        twilioIngestion: {
          path: 'POST /webhook/twilio: signature over the public URL and sorted form parameters, normalise, store',
          ...twilioIngestion,
          messagesAcceptedByWebhook: twilioCounts.accepted,
          jobsStoredInRedis: twilioCounts.stored,
        },
        twilioIngestionToBareRatio: Number(
          (twilioIngestion.maxThroughput.reqPerSec / bareRoute.maxThroughput.reqPerSec).toFixed(3),
        ),
        conversation: {
          path: 'production: conversation gate, consented chats, free text classified with history',
          chats: CHATS,
          ...conversation,
          messagesAcceptedByWebhook: conversationCounts.accepted,
          jobsStoredInRedis: conversationCounts.stored,
          rateLimited: conversationCounts.rateLimited ?? null,
        },
        conversationToBareRatio: Number(conversationRatio.toFixed(3)),
        goals: {
          ingestionAtLeastHalfOfBare: ratio >= 0.5,
          p99UnderFiftyMsAtFixedRate: ingestion.atFixedRate.p99Ms < 50,
          conversationAtLeastHalfOfBare: conversationRatio >= 0.5,
          conversationP99UnderFiftyMsAtFixedRate: conversation.atFixedRate.p99Ms < 50,
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await redis.stop();
}
