// `npm run bench`: how long a message waits before the second provider is asked when the
// first one hangs, with the first provider's breaker closed (bounded by the per-provider
// deadline) and open (goal: under 5 ms median overhead over asking the second provider
// directly). Everything runs against the fake LLM server on 127.0.0.1 through the real
// SDKs; the baseline is measured in the same run, interleaved with the open-breaker case.
import { createLogger, createMetrics } from '@helpline/runtime';
import { startFakeLlmServer } from '@helpline/testkit/llm';
import { type ClassifierChain, createClassifierChain } from '../src/chain/classifier-chain.js';
import { createClassifierMetrics } from '../src/chain/classifier-metrics.js';
import { createProviderStatusBoard } from '../src/chain/provider-status.js';
import { parseClassifierConfig } from '../src/config.js';
import { createKeywordClassifier } from '../src/keywords/keyword-classifier.js';
import { loadKeywordRules } from '../src/keywords/keyword-rules.js';
import { createProviders } from '../src/providers/create-providers.js';

// Long enough that the answering provider is never cut off on a loaded machine.
const PER_PROVIDER_TIMEOUT_MS = 250;
const CLOSED_ITERATIONS = 20;
const OPEN_ITERATIONS = 300;
const WARMUP = 20;
const GOAL_MS = 5;

const server = await startFakeLlmServer();
server.setDefault('openai', { kind: 'hang' });
const logger = createLogger({ name: 'bench', level: 'silent' });
const rules = loadKeywordRules();

function chainFor(order: string): ClassifierChain {
  const config = parseClassifierConfig({
    CLASSIFIER_PROVIDERS: order,
    OPENAI_API_KEY: 'bench',
    GOOGLE_API_KEY: 'bench',
    OPENAI_BASE_URL: server.baseUrl('openai'),
    GEMINI_BASE_URL: server.baseUrl('gemini'),
    CLASSIFIER_TIMEOUT_MS: String(PER_PROVIDER_TIMEOUT_MS),
    CLASSIFIER_DEADLINE_MS: '10000',
  });
  const metrics = createMetrics('bench');
  return createClassifierChain({
    providers: createProviders(config),
    keywords: createKeywordClassifier(rules),
    metrics,
    classifierMetrics: createClassifierMetrics(metrics),
    statusBoard: createProviderStatusBoard(() => new Date()),
    logger,
    timeoutMs: config.CLASSIFIER_TIMEOUT_MS,
    deadlineMs: config.CLASSIFIER_DEADLINE_MS,
    // The closed case must stay closed however many timeouts it sees.
    breaker: { volumeThreshold: 1_000_000, resetTimeout: 3_600_000 },
  });
}

let notAnsweredByGemini = 0;

/**
 * Milliseconds from the call to the moment the fake server received Gemini's request.
 * A run where Gemini did not answer (cut off under load) is counted, not measured.
 */
async function timeUntilGeminiAsked(chain: ClassifierChain, samples: number[]): Promise<void> {
  const before = server.requestsFor('gemini').length;
  const started = performance.now();
  const result = await chain.classify({ text: 'no tengo internet desde ayer' });
  const request = server.requestsFor('gemini')[before];
  if (result.source !== 'gemini' || !request) {
    notAnsweredByGemini++;
    return;
  }
  samples.push(request.receivedAt - started);
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return {
    n: sorted.length,
    medianMs: r(at(0.5)),
    p95Ms: r(at(0.95)),
    minMs: r(sorted[0] as number),
    maxMs: r(sorted[sorted.length - 1] as number),
  };
}

const direct = chainFor('gemini');
const closed = chainFor('openai,gemini');
const open = chainFor('openai,gemini');
open.breakers.get('openai')?.open();

// The first calls load the SDKs' lazy modules and open sockets; they are not measured.
for (let i = 0; i < WARMUP; i++) {
  await direct.classify({ text: 'warm-up' });
  await open.classify({ text: 'warm-up' });
}
const closedSamples: number[] = [];
for (let i = 0; i < CLOSED_ITERATIONS; i++) await timeUntilGeminiAsked(closed, closedSamples);
const directSamples: number[] = [];
const openSamples: number[] = [];
for (let i = 0; i < OPEN_ITERATIONS; i++) {
  await timeUntilGeminiAsked(direct, directSamples);
  await timeUntilGeminiAsked(open, openSamples);
}

const closedStats = stats(closedSamples);
const openStats = stats(openSamples);
const directStats = stats(directSamples);
const overhead = Math.round((openStats.medianMs - directStats.medianMs) * 1000) / 1000;
const report = {
  benchmark: 'classifier failover: first provider hanging, time until the second provider is asked',
  perProviderTimeoutMs: PER_PROVIDER_TIMEOUT_MS,
  baselineDirect: directStats,
  // Closed: the hanging provider costs its whole deadline and not more.
  breakerClosed: {
    ...closedStats,
    medianOverTimeoutMs: Math.round((closedStats.medianMs - PER_PROVIDER_TIMEOUT_MS) * 1000) / 1000,
    boundedByTimeout:
      closedStats.minMs >= PER_PROVIDER_TIMEOUT_MS - 1 && closedStats.medianMs < PER_PROVIDER_TIMEOUT_MS + 25,
  },
  breakerOpen: openStats,
  openOverheadMedianMs: overhead,
  goalMs: GOAL_MS,
  notAnsweredByGemini,
  meetsGoal: overhead < GOAL_MS,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

for (const chain of [direct, closed, open]) for (const breaker of chain.breakers.values()) breaker.shutdown();
await server.close();
