import { createServiceBase, type Producer, type ServiceBase, type ServiceBaseOverrides } from '@helpline/runtime';
import { type Assistant, createAssistant } from './assistant/assistant.js';
import { loadAssistantPrompt } from './assistant/assistant-prompt.js';
import { createBurstGate } from './burst/burst-gate.js';
import { type BreakerSettings, type ClassifierChain, createClassifierChain } from './chain/classifier-chain.js';
import { type ClassifierMetrics, createClassifierMetrics } from './chain/classifier-metrics.js';
import { createProviderStatusBoard, type ProviderStatusBoard } from './chain/provider-status.js';
import type { ClassifierConfig } from './config.js';
import { createKeywordClassifier, type KeywordClassifier } from './keywords/keyword-classifier.js';
import { type KeywordRules, loadKeywordRules } from './keywords/keyword-rules.js';
import { createKnowledgeBase, type KnowledgeBase } from './knowledge/knowledge-base.js';
import { type ConfiguredProvider, createProviders } from './providers/create-providers.js';
import { loadReplyTexts, type ReplyTexts } from './routing/reply-texts.js';
import { createAskToWrite, createRouter, type Router } from './routing/route-message.js';
import { createGatewayMedia, type GatewayMedia } from './voice/gateway-media.js';
import { createTranscribers, type Transcriber } from './voice/transcribers.js';
import { createVoiceNotes } from './voice/voice-notes.js';
import { createInboundProcessor, type InboundProcessor } from './worker/process-inbound.js';

export const SERVICE_NAME = 'classifier';

/** Everything the classifier is built from: the service base, then what is its own. */
export interface ClassifierContext extends ServiceBase<ClassifierConfig> {
  /** The classifier's own counters and histograms, on `metrics.registry`. */
  classifierMetrics: ClassifierMetrics;
  producers: {
    diagnostics: Producer<'diagnostics'>;
    tickets: Producer<'tickets'>;
    outbound: Producer<'outbound'>;
    /** ACCOUNTS_ENABLED: billing, account and sales messages from customers. */
    accounts?: Producer<'accounts'>;
  };
  keywords: KeywordClassifier;
  /** KNOWLEDGE_DIR; main loads it and watches it (tests call `reload()`). */
  knowledge: KnowledgeBase;
  chain: ClassifierChain;
  /** The chain with the knowledge base: what the worker and POST /classify call. */
  assistant: Assistant;
  statusBoard: ProviderStatusBoard;
  /** data/replies.json: the router's texts, and what POST /classify shows of them. */
  replies: ReplyTexts;
  route: Router;
  processInbound: InboundProcessor;
}

export interface ClassifierContextOverrides extends ServiceBaseOverrides {
  providers?: ConfiguredProvider[];
  breaker?: Partial<BreakerSettings>;
  rules?: KeywordRules;
  replies?: ReplyTexts;
  transcribers?: Transcriber[];
  media?: GatewayMedia;
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
    ...(config.ACCOUNTS_ENABLED ? { accounts: base.producer('accounts') } : {}),
  };
  // The backlog that matters here is what waits to be classified: `inbound`, the queue this
  // service consumes. The queues it produces to are gauged by their consumers.
  base.gaugeQueues(['inbound']);
  const keywords = createKeywordClassifier(overrides.rules ?? loadKeywordRules());
  const knowledge = createKnowledgeBase({ dir: config.KNOWLEDGE_DIR, logger, now: clock });
  base.addResource({ name: 'knowledge', close: () => knowledge.close() });
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
  const replies = overrides.replies ?? loadReplyTexts();
  const assistant = createAssistant({
    chain,
    knowledge,
    keywords,
    instructions: loadAssistantPrompt(config.ASSISTANT_PROMPT_FILE),
    replies,
    metrics: classifierMetrics,
    logger,
  });
  const route = createRouter({
    ...producers,
    replies,
    metrics: classifierMetrics,
    clock,
  });
  const voiceNotes = createVoiceNotes({
    media: overrides.media ?? createGatewayMedia({ gatewayUrl: config.GATEWAY_URL, apiToken: config.API_TOKEN }),
    transcribers: overrides.transcribers ?? createTranscribers(config),
    timeoutMs: config.CLASSIFIER_TIMEOUT_MS,
    logger,
    outcomes: classifierMetrics.voiceNotes,
  });
  const askToWrite = createAskToWrite({ outbound: producers.outbound, replies, metrics: classifierMetrics });
  // The producer-role connection: the worker's blocks while BullMQ waits for jobs.
  const burst = createBurstGate({
    redis: base.redis('producer'),
    prefix: base.keyPrefix,
    windowMs: config.BURST_WINDOW_MS,
  });
  const processInbound = createInboundProcessor({
    assistant,
    voiceNotes,
    burst,
    askToWrite,
    route,
    metrics: classifierMetrics,
  });

  return {
    ...base,
    classifierMetrics,
    producers,
    keywords,
    knowledge,
    chain,
    assistant,
    statusBoard,
    replies,
    route,
    processInbound,
  };
}
