/**
 * One server for the webhook benchmark, in its own process so that it does not share an
 * event loop with the load tool:
 *
 * - `bare`: a Fastify route answering the same body;
 * - `gateway`: the real app with the plain ingestion sink (verify, parse, normalise, store:
 *   the channel alone, a setting tests use and production never does);
 * - `twilio`: the same plain sink behind POST /webhook/twilio (Twilio's signed form bodies);
 * - `conversation`: the real app as production runs it: every Cloud API message passes the
 *   customer conversation (stored decision, rate count, log, history, `inbound` with the
 *   last turns). The chats named by BENCH_CHATS have consented beforehand, so every message
 *   is free text that goes the whole way rather than a privacy notice.
 *
 * Prints `{"url": ...}` once listening; exits on SIGTERM after printing what it stored.
 */
import { createLogger, whenReady } from '@helpline/runtime';
import Fastify from 'fastify';
import { metricValue } from '@helpline/testkit';
import { buildApp } from '../src/app.js';
import { parseGatewayConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { benchChatId } from './bench-chats.js';

const kind = process.argv[2];
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.BENCH_PREFIX ?? 'bench';
const secret = process.env.BENCH_SECRET ?? 'bench-app-secret';
const chats = Number(process.env.BENCH_CHATS ?? 2000);

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

if (kind === 'bare') {
  const bare = Fastify({ logger: false });
  bare.post('/webhook', async (request) => ({ status: 'ok', parsed: typeof request.body === 'object' }));
  print({ url: await bare.listen({ host: '127.0.0.1', port: 0 }) });
  process.once('SIGTERM', async () => {
    await bare.close();
    print({ accepted: null, stored: null });
    process.exit(0);
  });
} else if (kind === 'gateway' || kind === 'conversation' || kind === 'twilio') {
  const config = parseGatewayConfig({
    META_APP_SECRET: secret,
    LOG_LEVEL: 'silent',
    ...(kind === 'twilio'
      ? {
          TWILIO_AUTH_TOKEN: process.env.BENCH_TWILIO_TOKEN,
          TWILIO_WEBHOOK_URL: process.env.BENCH_TWILIO_URL,
          TWILIO_ACCOUNT_SID: process.env.BENCH_TWILIO_ACCOUNT,
        }
      : {}),
  });
  const context = createContext(config, {
    redisUrl,
    prefix,
    logger: createLogger({ name: 'bench', level: 'silent' }),
    // The gateway and twilio benches measure the bare channel: inbound goes straight to the queue.
    ...(kind !== 'conversation' ? { sink: ({ enqueue }) => enqueue } : {}),
  });
  if (kind === 'conversation') {
    // Consent as the accept button records it; the default rate limit stays in force.
    const at = new Date().toISOString();
    const { store } = context.conversation;
    await whenReady(context.redis('producer'), 10_000);
    await Promise.all(
      Array.from({ length: chats }, async (_, i) => {
        const chatId = benchChatId(i);
        await store.touchChat(chatId, at);
        await store.updateChat(
          chatId,
          { consentVersion: config.PRIVACY_NOTICE_VERSION, consentAt: at, mode: 'menu', language: 'es' },
          [],
          Date.now(),
        );
      }),
    );
  }
  const app = await buildApp(context);
  print({ url: await app.listen({ host: '127.0.0.1', port: 0 }) });
  process.once('SIGTERM', async () => {
    await app.close();
    const text = await context.metrics.registry.metrics();
    const stored = await context.producers.inbound.queue.getJobCountByTypes('waiting');
    await context.producers.inbound.queue.obliterate({ force: true }).catch(() => {});
    await context.close();
    print({
      accepted: metricValue(text, 'helpline_webhook_events_total', { outcome: 'accepted' }) ?? 0,
      stored,
      // Messages the conversation did not classify because a chat wrote too fast.
      rateLimited: metricValue(text, 'helpline_conversation_events_total', { event: 'rate_limited' }) ?? 0,
    });
    process.exit(0);
  });
} else {
  process.stderr.write('usage: bench-server.ts bare|gateway|conversation|twilio\n');
  process.exit(2);
}
