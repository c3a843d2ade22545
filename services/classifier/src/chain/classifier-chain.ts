import type { Classification, ClassificationSource } from '@helpline/contracts';
import { type CircuitBreaker, createBreaker, type Logger, type ServiceMetrics } from '@helpline/runtime';
import { toClassification } from '../answer/llm-answer.js';
import type { KeywordClassifier } from '../keywords/keyword-classifier.js';
import { buildPrompt, type ClassifyInput, type Prompt } from '../prompt/build-prompt.js';
import type { ConfiguredProvider } from '../providers/create-providers.js';
import type { LlmAnswer } from '../answer/llm-answer.js';
import type { LlmReply } from '../answer/llm-reply.js';
import type { KnowledgeEntry } from '../knowledge/knowledge-entry.js';
import type { LlmProvider, ProviderName } from '../providers/provider.js';
import { ProviderFailure, type SkipReason, toProviderFailure } from '../providers/provider-failure.js';
import type { ClassifierMetrics } from './classifier-metrics.js';
import type { ProviderStatusBoard } from './provider-status.js';

/** One provider's turn in the chain. */
export interface Attempt {
  provider: ProviderName;
  outcome: 'answered' | 'passed_over';
  /** Why it was passed over. */
  reason?: SkipReason;
  /** Time spent on it (0 when it was never called). */
  durationMs: number;
  /** What went wrong, for an operator; never the message text. */
  detail?: string;
}

export interface ChainResult {
  classification: Classification;
  /** Who answered: a provider, or `keywords`. */
  source: ClassificationSource;
  attempts: Attempt[];
  durationMs: number;
  /** The model's reply, when the prompt asked for one (the assistant) and a provider answered. */
  reply?: LlmReply;
  /** The entries as labelled in that prompt (K1...), to read `reply.entries`. */
  labels?: ReadonlyMap<string, KnowledgeEntry>;
}

export interface BreakerSettings {
  volumeThreshold: number;
  errorThresholdPercentage: number;
  resetTimeout: number;
  rollingCountTimeout: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  volumeThreshold: 3,
  errorThresholdPercentage: 50,
  resetTimeout: 30_000,
  rollingCountTimeout: 60_000,
};

export interface ChainOptions {
  providers: readonly ConfiguredProvider[];
  keywords: KeywordClassifier;
  metrics: ServiceMetrics;
  classifierMetrics: ClassifierMetrics;
  statusBoard: ProviderStatusBoard;
  logger: Logger;
  /** Deadline of one provider call (CLASSIFIER_TIMEOUT_MS). */
  timeoutMs: number;
  /** Deadline of the whole chain (CLASSIFIER_DEADLINE_MS). */
  deadlineMs: number;
  breaker?: Partial<BreakerSettings>;
}

export interface ClassifierChain {
  classify(input: ClassifyInput): Promise<ChainResult>;
  /** The breaker of each provider that has a key. */
  readonly breakers: ReadonlyMap<ProviderName, CircuitBreaker<[Prompt, AbortSignal], LlmAnswer>>;
  readonly providers: readonly ConfiguredProvider[];
}

/**
 * Settles with the call, or rejects as a timeout the moment the signal fires: an SDK that
 * ignored its signal could otherwise hold the chain past its deadline.
 */
function untilAborted<T>(provider: ProviderName, call: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ProviderFailure(provider, 'timeout', 'no answer before the deadline'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function breakerFor(provider: LlmProvider, options: ChainOptions) {
  const settings = { ...DEFAULT_BREAKER_SETTINGS, ...options.breaker };
  return createBreaker(
    (prompt: Prompt, signal: AbortSignal) => untilAborted(provider.name, provider.classify(prompt, signal), signal),
    // A refusal (provider_refused) is declared not retryable: the breaker does not count it.
    { name: provider.name, metrics: options.metrics, ...settings },
  );
}

/**
 * The provider chain: each provider with a key, in the configured order, behind its own
 * breaker; each call with its own deadline, shortened to what is left of the chain's; the
 * keyword classifier at the end, which always answers.
 */
export function createClassifierChain(options: ChainOptions): ClassifierChain {
  const { classifierMetrics: m, statusBoard, logger } = options;
  const breakers = new Map<ProviderName, CircuitBreaker<[Prompt, AbortSignal], LlmAnswer>>();
  for (const { provider } of options.providers)
    if (provider) breakers.set(provider.name, breakerFor(provider, options));

  const passOver = (attempts: Attempt[], attempt: Attempt & { reason: SkipReason }): void => {
    attempts.push(attempt);
    m.fallbacks.inc({ provider: attempt.provider, reason: attempt.reason });
  };

  async function classify(input: ClassifyInput): Promise<ChainResult> {
    const started = performance.now();
    const deadlineAt = started + options.deadlineMs;
    const attempts: Attempt[] = [];
    let prompt: Prompt | undefined;

    for (const { name, provider } of options.providers) {
      const breaker = breakers.get(name);
      if (!provider || !breaker) {
        passOver(attempts, { provider: name, outcome: 'passed_over', reason: 'no_key', durationMs: 0 });
        continue;
      }
      const remaining = deadlineAt - performance.now();
      if (remaining <= 0) {
        passOver(attempts, {
          provider: name,
          outcome: 'passed_over',
          reason: 'timeout',
          durationMs: 0,
          detail: 'the chain deadline had passed',
        });
        continue;
      }
      prompt ??= buildPrompt(input);
      const callMs = Math.min(options.timeoutMs, remaining);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`deadline of ${Math.round(callMs)} ms`)), callMs);
      const callStarted = performance.now();
      try {
        const answer = await breaker.fire(prompt, controller.signal);
        const durationMs = performance.now() - callStarted;
        m.providerDuration.observe({ provider: name, outcome: 'ok' }, durationMs / 1000);
        statusBoard.answered(name);
        attempts.push({ provider: name, outcome: 'answered', durationMs: Math.round(durationMs) });
        const result = finish(toClassification(answer, name), name, attempts, started);
        return 'reply' in answer ? { ...result, reply: answer.reply as LlmReply, labels: prompt.labels } : result;
      } catch (error) {
        const durationMs = performance.now() - callStarted;
        if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
          passOver(attempts, { provider: name, outcome: 'passed_over', reason: 'breaker_open', durationMs: 0 });
          continue;
        }
        const failure = toProviderFailure(name, error, controller.signal);
        m.providerDuration.observe({ provider: name, outcome: failure.reason }, durationMs / 1000);
        if (failure.reason === 'auth_error') statusBoard.authRefused(name, failure.status);
        logger.warn(
          { provider: name, reason: failure.reason, status: failure.status, err: failure.message },
          'provider passed over',
        );
        passOver(attempts, {
          provider: name,
          outcome: 'passed_over',
          reason: failure.reason,
          durationMs: Math.round(durationMs),
          detail: failure.message,
        });
      } finally {
        clearTimeout(timer);
      }
    }
    const { classification } = options.keywords.classify(input.text, { languageHint: input.languageHint });
    return finish(classification, 'keywords', attempts, started);
  }

  function finish(
    classification: Classification,
    source: ClassificationSource,
    attempts: Attempt[],
    started: number,
  ): ChainResult {
    m.classifications.inc({ source, category: classification.category });
    return { classification, source, attempts, durationMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  return { classify, breakers, providers: options.providers };
}
