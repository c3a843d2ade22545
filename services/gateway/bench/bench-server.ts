/**
 * One server for the webhook benchmark, in its own process so that it does not share an
 * event loop with the load tool: `gateway` (the real app, plain ingestion sink) or `bare`
 * (a Fastify route answering the same body). Prints `{"url": ...}` once listening; exits
 * on SIGTERM after printing `{"accepted": n, "stored": n}`.
 */
import { createLogger } from '@helpline/runtime';
import Fastify from 'fastify';
import { buildApp } from '../src/app.js';
import { parseGatewayConfig } from '../src/config.js';
import { createContext } from '../src/context.js';

const kind = process.argv[2];
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.BENCH_PREFIX ?? 'bench';
const secret = process.env.BENCH_SECRET ?? 'bench-app-secret';

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
} else if (kind === 'gateway') {
  const context = createContext(parseGatewayConfig({ META_APP_SECRET: secret, LOG_LEVEL: 'silent' }), {
    redisUrl,
    prefix,
    logger: createLogger({ name: 'bench', level: 'silent' }),
    // The channel's ingestion path alone (verify, parse, normalise, store): the customer
    // conversation's consent gate would answer new customers instead of storing their message.
    plainSink: true,
  });
  const app = await buildApp(context);
  print({ url: await app.listen({ host: '127.0.0.1', port: 0 }) });
  process.once('SIGTERM', async () => {
    await app.close();
    const text = await context.metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('helpline_webhook_events_total{') && l.includes('outcome="accepted"'));
    const stored = await context.producers.inbound.queue.getJobCountByTypes('waiting');
    await context.producers.inbound.queue.obliterate({ force: true }).catch(() => {});
    await context.close();
    print({ accepted: line ? Number(line.split(' ').at(-1)) : 0, stored });
    process.exit(0);
  });
} else {
  process.stderr.write('usage: bench-server.ts gateway|bare\n');
  process.exit(2);
}
