/**
 * How fast the accounts service answers `deuda` on the built-in store: N requests queued at
 * once, the worker at ACCOUNTS_CONCURRENCY, real Redis and PostgreSQL; the latency of each
 * is from its enqueue to its answer's outbound job. Also the statement PDF's render time.
 *   node --conditions=@helpline/source --import tsx bench/debt-requests.ts [requests]
 */
import { jobIds } from '@helpline/contracts';
import { startTestPostgres, startTestRedis, uniqueQueueName } from '@helpline/testkit';
import { accountsConfigSchema } from '../src/config.js';
import { createContext } from '../src/context.js';
import { renderStatementPdf } from '../src/documents/statement-pdf.js';
import { startAccountWorker } from '../src/queue/start-account-worker.js';
import { ANA, seed } from '../test/support/seed.js';
import { quietLogger } from '../test/support/logger.js';

const N = Number(process.argv[2] ?? 500);
const redis = await startTestRedis();
const postgres = await startTestPostgres();
const context = createContext(
  accountsConfigSchema.parse({ REDIS_URL: redis.url, DATABASE_URL: await postgres.createDatabase('bench_accounts') }),
  { prefix: uniqueQueueName('bench'), logger: quietLogger() },
);
await context.db.migrate();
await seed(context.db);

const pdfStarted = performance.now();
const [account] = await context.billing.findAccounts({ customerId: 'C-100' });
const [invoice] = await context.billing.invoices(account!);
for (let i = 0; i < 50; i++) {
  await renderStatementPdf({
    account: account!,
    invoice: invoice!,
    language: 'es',
    issuer: 'Bench',
    generatedAt: new Date(),
  });
}
const pdfMs = (performance.now() - pdfStarted) / 50;

const added = new Map<string, number>();
const started = performance.now();
for (let i = 0; i < N; i++) {
  const correlationId = `wamid.bench.${i}`;
  added.set(correlationId, Date.now());
  await context.producers.accounts.add(
    {
      kind: 'debt',
      correlationId,
      phone: ANA,
      replyTo: { channel: 'cloud', chatId: ANA },
      requestedAt: new Date().toISOString(),
    },
    { jobId: jobIds.accounts(correlationId, 'debt') },
  );
}
const latencies: number[] = [];
const done = new Set<string>();
startAccountWorker(context);
while (done.size < N) {
  for (const [correlationId, at] of added) {
    if (done.has(correlationId)) continue;
    const job = await context.producers.outbound.queue.getJob(jobIds.outbound(correlationId, 'debt'));
    if (job) {
      done.add(correlationId);
      latencies.push(job.timestamp - at);
    }
  }
  await new Promise((r) => setTimeout(r, 20));
}
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => Math.round(latencies[Math.floor((latencies.length - 1) * p)] ?? 0);
process.stdout.write(
  `${JSON.stringify({
    requests: N,
    concurrency: context.config.ACCOUNTS_CONCURRENCY,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(N / seconds),
    latencyMs: { p50: pct(0.5), p95: pct(0.95), max: pct(1) },
    statementPdfMs: Number(pdfMs.toFixed(1)),
  })}\n`,
);
await context.close();
await postgres.stop();
await redis.stop();
