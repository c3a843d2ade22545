import {
  createLogger,
  createMetrics,
  createProducer,
  createRedisConnection,
  type Logger,
  type Producer,
  type Redis,
  registerQueueGauges,
  type ServiceMetrics,
} from '@helpline/runtime';
import { Queue, type Worker } from 'bullmq';
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

export interface ClassifierContext {
  config: ClassifierConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  classifierMetrics: ClassifierMetrics;
  /** BullMQ key prefix of every queue this service touches. */
  prefix: string;
  redis: { producer: Redis; worker: Redis };
  producers: {
    diagnostics: Producer<'diagnostics'>;
    tickets: Producer<'tickets'>;
    outbound: Producer<'outbound'>;
    /** ACCOUNTS_ENABLED: billing, account and sales messages from customers. */
    accounts?: Producer<'accounts'>;
  };
  /** The queue this service consumes, read only for its depth gauges (the worker has its own connection). */
  inboundQueue: Queue;
  keywords: KeywordClassifier;
  chain: ClassifierChain;
  statusBoard: ProviderStatusBoard;
  route: Router;
  processInbound: InboundProcessor;
  /** Set by main (or a test) once the `inbound` worker runs; /health reports it. */
  inboundWorker: Worker | undefined;
  now: () => Date;
  /** Closes producers and Redis connections (not the worker: shutdown closes it first). */
  close(): Promise<void>;
}

export interface ContextOverrides {
  logger?: Logger;
  metrics?: ServiceMetrics;
  /** Tests use a unique prefix so they never see each other's jobs. */
  prefix?: string;
  now?: () => Date;
  providers?: ConfiguredProvider[];
  breaker?: Partial<BreakerSettings>;
  rules?: KeywordRules;
  replies?: ReplyTexts;
}

/** Builds every dependency of the service from its config; nothing is created at import time. */
export function createContext(config: ClassifierConfig, overrides: ContextOverrides = {}): ClassifierContext {
  const logger = overrides.logger ?? createLogger({ name: 'classifier', level: config.LOG_LEVEL });
  const metrics = overrides.metrics ?? createMetrics('classifier');
  const classifierMetrics = createClassifierMetrics(metrics);
  const prefix = overrides.prefix ?? 'bull';
  const now = overrides.now ?? (() => new Date());
  const redis = {
    producer: createRedisConnection(config.REDIS_URL, 'producer'),
    worker: createRedisConnection(config.REDIS_URL, 'worker'),
  };
  const producers = {
    diagnostics: createProducer('diagnostics', { connection: redis.producer, prefix }),
    tickets: createProducer('tickets', { connection: redis.producer, prefix }),
    outbound: createProducer('outbound', { connection: redis.producer, prefix }),
    ...(config.ACCOUNTS_ENABLED
      ? { accounts: createProducer('accounts', { connection: redis.producer, prefix }) }
      : {}),
  };
  // The backlog that matters here is what waits to be classified: `inbound`, the queue this
  // service consumes. The queues it produces to are gauged by their consumers.
  const inboundQueue = new Queue('inbound', { connection: redis.producer, prefix });
  // A scrape that cannot reach Redis leaves the series out; an unheard 'error' event would crash the process.
  inboundQueue.on('error', () => {});
  registerQueueGauges(metrics, [inboundQueue]);
  const keywords = createKeywordClassifier(overrides.rules ?? loadKeywordRules());
  const statusBoard = createProviderStatusBoard(now);
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
  const route = createRouter({
    ...producers,
    replies: overrides.replies ?? loadReplyTexts(),
    metrics: classifierMetrics,
    now,
  });
  const processInbound = createInboundProcessor({ chain, route, metrics: classifierMetrics });

  return {
    config,
    logger,
    metrics,
    classifierMetrics,
    prefix,
    redis,
    producers,
    inboundQueue,
    keywords,
    chain,
    statusBoard,
    route,
    processInbound,
    inboundWorker: undefined,
    now,
    async close() {
      for (const breaker of chain.breakers.values()) breaker.shutdown();
      await Promise.allSettled([...Object.values(producers).map((p) => p.close()), inboundQueue.close()]);
      await Promise.allSettled([redis.producer.quit(), redis.worker.quit()]);
    },
  };
}
