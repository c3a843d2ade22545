import { createServiceBase, type Producer, type ServiceBase, type ServiceBaseOverrides } from '@helpline/runtime';
import { type BreakerSettings, type ClassifierChain, createClassifierChain } from './chain/classifier-chain.js';
import { type ClassifierMetrics, createClassifierMetrics } from './chain/classifier-metrics.js';
import { createProviderStatusBoard, type ProviderStatusBoard } from './chain/provider-status.js';
import type { ClassifierConfig } from './config.js';
import { createKeywordClassifier, type KeywordClassifier } from './keywords/keyword-classifier.js';
import { type KeywordRules, loadKeywordRules } from './keywords/keyword-rules.js';
import { type ConfiguredProvider, createProviders } from './providers/create-providers.js';
import { loadReplyTexts, type ReplyTexts } from './routing/reply-texts.js';
import { createRouter, type Router } from './routing/route-message.js';
import { createInboundProcessor, type InboundProcessor } from './worker/process-inbound.js';

export const SERVICE_NAME = 'classifier';

/** Everything the classifier is built from: the service base, then what is its own. */
export interface ClassifierContext extends ServiceBase<ClassifierConfig> {
  /** The classifier's own counters and histograms, on `metrics.registry`. */
  classifierMetrics: ClassifierMetrics;
  producers: { diagnostics: Producer<'diagnostics'>; tickets: Producer<'tickets'>; outbound: Producer<'outbound'> };
  keywords: KeywordClassifier;
  chain: ClassifierChain;
  statusBoard: ProviderStatusBoard;
  route: Router;
  processInbound: InboundProcessor;
}

export interface ClassifierContextOverrides extends ServiceBaseOverrides {
  providers?: ConfiguredProvider[];
  breaker?: Partial<BreakerSettings>;
  rules?: KeywordRules;
  replies?: ReplyTexts;
}

/** Builds every dependency of the service from its config; nothing listens or consumes here: main does. */
export function createContext(config: ClassifierConfig, overrides: ClassifierContextOverrides = {}): ClassifierContext {
  const base = createServiceBase(SERVICE_NAME, config, overrides);
  const { logger, metrics, clock } = base;
  const classifierMetrics = createClassifierMetrics(metrics);
  const producers = {
    diagnostics: base.producer('diagnostics'),
    tickets: base.producer('tickets'),
    outbound: base.producer('outbound'),
  };
  // The backlog that matters here is what waits to be classified: `inbound`, the queue this
  // service consumes. The queues it produces to are gauged by their consumers.
  base.gaugeQueues(['inbound']);
  const keywords = createKeywordClassifier(overrides.rules ?? loadKeywordRules());
  const statusBoard = createProviderStatusBoard(clock);
  const chain = createClassifierChain({
    providers: overrides.providers ?? createProviders(config),
    keywords,
    metrics,
    classifierMetrics,
    statusBoard,
    logger,
    timeoutMs: config.CLASSIFIER_TIMEOUT_MS,
    deadlineMs: config.CLASSIFIER_DEADLINE_MS,
    ...(overrides.breaker ? { breaker: overrides.breaker } : {}),
  });
  base.addResource({
    name: 'breakers',
    close: () => {
      for (const breaker of chain.breakers.values()) breaker.shutdown();
    },
  });
  const route = createRouter({
    ...producers,
    replies: overrides.replies ?? loadReplyTexts(),
    metrics: classifierMetrics,
    clock,
  });
  const processInbound = createInboundProcessor({ chain, route, metrics: classifierMetrics });

  return { ...base, classifierMetrics, producers, keywords, chain, statusBoard, route, processInbound };
}
