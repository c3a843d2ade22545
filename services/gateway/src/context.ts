import { type Channel, QUEUE_NAMES, type QueueName } from '@helpline/contracts';
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
import type { Queue, Worker } from 'bullmq';
import { createDashboardQueues } from './admin/dashboard-queues.js';
import { createCloudSender, parseWindowTemplate } from './cloud/cloud-sender.js';
import { type ConversationWindow, createConversationWindow } from './cloud/conversation-window.js';
import { createGraphClient, type GraphClient } from './cloud/graph-client.js';
import { createRecipientPacer } from './cloud/recipient-pacer.js';
import { createSendErrorLog, type SendErrorLog } from './cloud/send-error-log.js';
import { createSendRateLimiter } from './cloud/send-rate-limiter.js';
import { cloudApiConfigured, type GatewayConfig, twilioConfigured } from './config.js';
import { type Conversation, createConversation } from './conversation/create-conversation.js';
import { createDeliveryStore, type DeliveryStore } from './delivery/delivery-store.js';
import { type ChatEraser, createChatEraser } from './erasure/chat-eraser.js';
import { createGroupChannel, createGroupRedis, type GroupChannel } from './groups/group-channel.js';
import type { GroupSocketFactory } from './groups/group-socket.js';
import { createInboundEnqueuer } from './ingest/inbound-enqueuer.js';
import { type ArrivalLog, createArrivalLog } from './latency/arrival-log.js';
import { recordArrivals } from './latency/arrival-recording-sink.js';
import { createInboundSilence, noteInboundArrivals } from './metrics/inbound-silence.js';
import { REPLY_PURPOSES } from './latency/reply-purpose.js';
import type { MessageSink } from './ingest/message-sink.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics.js';
import type { ChannelSender, OutboundObserver } from './outbound/channel-sender.js';
import { createSendGuard, type SendGuard, type SendGuardOptions } from './outbound/send-guard.js';
import { closeRedis } from './redis/close-redis.js';
import { createRefusedMessageStore, type RefusedMessageStore } from './webhook/refused-messages.js';
import { loadTemplatesFile, type TemplateBook } from './templates/templates-file.js';
import { createBodyParts } from './twilio/body-parts.js';
import { createContentCatalog } from './twilio/twilio-content.js';
import { createNumberedOptions, type NumberedOptions } from './twilio/numbered-options.js';
import { createTwilioClient, type TwilioClient } from './twilio/twilio-client.js';
import { twilioSendSettings } from './twilio/twilio-config.js';
import { createTwilioSender } from './twilio/twilio-sender.js';

export const SERVICE_NAME = 'gateway';

/** Everything the gateway is built from; tests replace any part through `overrides`. */
export interface GatewayContext {
  config: GatewayConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The gateway's own counters and histograms, on `metrics.registry`. */
  gatewayMetrics: GatewayMetrics;
  /** Wall clock; tests pass a fixed one. */
  clock: () => Date;
  /** BullMQ key prefix and the prefix of the gateway's own Redis keys. */
  prefix: string;
  redis: {
    /** The gateway's own keys; fails fast while Redis is away (HTTP paths answer 503). */
    producer: Redis;
    /** BullMQ queues the gateway adds to or reads; fails fast like `producer`. */
    queues: Redis;
    /** Blocking commands for workers; rides out outages. */
    worker: Redis;
  };
  producers: {
    inbound: Producer<'inbound'>;
    outbound: Producer<'outbound'>;
    /** The menu's "check my connection". */
    diagnostics: Producer<'diagnostics'>;
  };
  /** The four pipeline queues as the operator dashboard (/admin/queues) sees them. */
  dashboardQueues: Record<QueueName, Queue>;
  /** The customer conversation: consent gate, menu, handoff, log, staff queries. */
  conversation: Conversation;
  /** Where the webhook (and the group adapter) hand every normalised message. */
  sink: MessageSink;
  /** Arrival of each inbound message, for the end-to-end latency of its replies. */
  arrivals: ArrivalLog;
  /** The Graph API client; absent while the Cloud API is not configured. */
  graph?: GraphClient;
  /** The 24-hour customer service window per chat. */
  conversationWindow: ConversationWindow;
  /** The Twilio number's own windows (another number than the Cloud API's). */
  twilioWindow: ConversationWindow;
  /** Twilio's Messages API client; absent while Twilio is not configured. */
  twilio?: TwilioClient;
  /** The numbered choices last sent to each Twilio chat, for its "3". */
  numberedOptions: NumberedOptions;
  /** WHATSAPP_TEMPLATES_FILE: purpose -> approved template, for the window fallback. */
  templates: TemplateBook;
  /** Delivery state per sent message (an observer: records sends, applies statuses). */
  deliveryStore: DeliveryStore;
  /** The last Cloud API send error, for /api/status. */
  sendErrors: SendErrorLog;
  /** The last Twilio send error, for /api/status. */
  twilioSendErrors: SendErrorLog;
  /** Webhook messages that cannot enter the pipeline, kept for an operator. */
  refusedMessages: RefusedMessageStore;
  /** A data-removal request: the conversation and everything else that names the chat. */
  eraser: ChatEraser;
  /** Group mode (Baileys); absent unless BAILEYS_ENABLED. Started by main. */
  groups?: GroupChannel;
  /** One sender per enabled channel. */
  senders: Partial<Record<Channel, ChannelSender>>;
  /** Told about every sent message and every delivery status. */
  observers: OutboundObserver[];
  /** At most one send per outbound job id, across crashes and re-runs. */
  sendGuard: SendGuard;
  /** The send guard's marks on the producer connection, for status webhooks. */
  sendConfirmations: Pick<SendGuard, 'confirmSent'>;
  /** Workers started by `startWorkers`, for /health and shutdown. */
  workers: Worker[];
  /** Closes what the context opened (producers, Redis), in order. */
  close(): Promise<void>;
}

export type GatewayContextOverrides = Partial<
  Omit<GatewayContext, 'config' | 'close' | 'redis' | 'producers' | 'conversation' | 'dashboardQueues'>
> & {
  /**
   * Hand Cloud API messages to the plain enqueuer, without the conversation's consent
   * gate: for tests of the bare channel. Never set in production.
   */
  plainSink?: boolean;
  /** Redis URL for both connections (tests); config.REDIS_URL otherwise. */
  redisUrl?: string;
  /** How long a producer add may take before the caller answers 503. */
  addTimeoutMs?: number;
  /** Claim TTL and waits of the send guard (tests shorten them). */
  sendGuardOptions?: SendGuardOptions;
  /** Makes group mode's Baileys socket (tests pass a fake); makeWASocket otherwise. */
  groupSocketFactory?: GroupSocketFactory;
};

/** Builds every dependency of the gateway. Nothing here listens or consumes: main does. */
export function createContext(config: GatewayConfig, overrides: GatewayContextOverrides = {}): GatewayContext {
  const logger = overrides.logger ?? createLogger({ name: SERVICE_NAME, level: config.LOG_LEVEL });
  const metrics = overrides.metrics ?? createMetrics(SERVICE_NAME);
  const gatewayMetrics = overrides.gatewayMetrics ?? createGatewayMetrics(metrics);
  const clock = overrides.clock ?? (() => new Date());
  const prefix = overrides.prefix ?? 'bull';
  const redisUrl = overrides.redisUrl ?? config.REDIS_URL;

  const redis = {
    // Auto-pipelining: the commands of concurrent webhook requests leave in one write
    // instead of one syscall each (measured with `npm run bench`).
    producer: createRedisConnection(redisUrl, 'producer', { enableAutoPipelining: true }),
    // BullMQ defines its fifty-odd Lua commands on the client it is given, and ioredis
    // copies every defined command into each automatic pipeline it builds: on the
    // auto-pipelined connection that copying took a twelfth of the gateway's CPU under load
    // (a CPU profile of the pipeline bench). The queues get a connection of their own.
    queues: createRedisConnection(redisUrl, 'producer'),
    worker: createRedisConnection(redisUrl, 'worker'),
  };
  const producerOptions = { connection: redis.queues, prefix, addTimeoutMs: overrides.addTimeoutMs };
  const producers = {
    inbound: createProducer(QUEUE_NAMES.inbound, producerOptions),
    outbound: createProducer(QUEUE_NAMES.outbound, producerOptions),
    diagnostics: createProducer(QUEUE_NAMES.diagnostics, producerOptions),
  };
  // Depth of the queue the gateway consumes, read when Prometheus scrapes; the services
  // consuming `inbound` and `diagnostics` report those.
  registerQueueGauges(metrics, [producers.outbound.queue]);
  // The producer connection: the board's reads fail fast while Redis is away, like the API.
  const dashboardQueues = createDashboardQueues(redis.queues, prefix);
  const enqueuer = createInboundEnqueuer({ producer: producers.inbound });
  // The gateway's own keys live beside BullMQ's, under the same prefix.
  const keyPrefix = `${prefix}:gateway`;
  const conversation = createConversation({
    redis: redis.producer,
    keyPrefix: `${keyPrefix}:conv`,
    producers,
    enqueue: enqueuer,
    metrics,
    logger,
    clock,
    config,
  });
  const arrivals = overrides.arrivals ?? createArrivalLog(redis.producer, keyPrefix);
  // Every channel's inbound passes here (webhook and group adapter): the one place that
  // records arrivals for the end-to-end latency.
  // The silent-loss alarm's inputs: the last arrival (in Redis, across replicas), the
  // configured quiet period, and whether a channel is up (group state read at scrape time).
  let groupOpen: (() => boolean) | undefined;
  const inboundSilence = createInboundSilence({
    redis: redis.producer,
    key: `${keyPrefix}:inbound:last-arrival`,
    metrics,
    alertAfterMinutes: config.INBOUND_SILENCE_ALERT_MINUTES,
    channelsUp: () => ({
      cloud: cloudApiConfigured(config),
      twilio: twilioConfigured(config),
      ...(groupOpen ? { group: groupOpen() } : {}),
    }),
    clock,
  });
  const sink = noteInboundArrivals(
    recordArrivals(overrides.sink ?? (overrides.plainSink ? enqueuer : conversation.sink), arrivals, clock),
    inboundSilence,
    clock,
  );
  const conversationWindow = overrides.conversationWindow ?? createConversationWindow(redis.producer, keyPrefix);
  const twilioWindow = overrides.twilioWindow ?? createConversationWindow(redis.producer, `${keyPrefix}:twilio`);
  const numberedOptions = overrides.numberedOptions ?? createNumberedOptions(redis.producer, `${keyPrefix}:twilio`);
  // Validated at start: a broken file stops the gateway with one line per fault (main).
  const templates = overrides.templates ?? loadTemplatesFile(config.WHATSAPP_TEMPLATES_FILE);
  const deliveryStore = overrides.deliveryStore ?? createDeliveryStore(redis.producer, keyPrefix, clock);
  const sendErrors =
    overrides.sendErrors ??
    createSendErrorLog({ write: redis.worker, read: redis.producer }, `${keyPrefix}:cloud:last-error`);
  const twilioSendErrors =
    overrides.twilioSendErrors ??
    createSendErrorLog({ write: redis.worker, read: redis.producer }, `${keyPrefix}:twilio:last-error`);
  const refusedMessages =
    overrides.refusedMessages ?? createRefusedMessageStore(redis.producer, `${keyPrefix}:webhook:refused`);
  const graph =
    overrides.graph ??
    (config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID
      ? createGraphClient({
          baseUrl: config.GRAPH_API_URL,
          version: config.GRAPH_API_VERSION,
          phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
          accessToken: config.WHATSAPP_ACCESS_TOKEN,
        })
      : undefined);
  const senders: Partial<Record<Channel, ChannelSender>> = { ...overrides.senders };
  if (graph && !senders.cloud) {
    senders.cloud = createCloudSender({
      graph,
      window: conversationWindow,
      // The worker connection: a send waits out a Redis blip rather than failing.
      rateLimiter: createSendRateLimiter(redis.worker, `${keyPrefix}:cloud:rate`, config.WHATSAPP_SEND_RATE),
      pacer: createRecipientPacer(redis.worker, `${keyPrefix}:cloud`),
      errorLog: sendErrors,
      metrics: gatewayMetrics,
      clock,
      windowTemplate: parseWindowTemplate(config.WHATSAPP_WINDOW_TEMPLATE),
      templates,
    });
  }
  const twilioSettings = twilioSendSettings(config);
  const twilio =
    overrides.twilio ??
    (twilioSettings
      ? createTwilioClient({
          apiUrl: twilioSettings.apiUrl,
          accountSid: twilioSettings.accountSid,
          authToken: twilioSettings.authToken,
        })
      : undefined);
  if (twilio && twilioSettings && !senders.twilio) {
    senders.twilio = createTwilioSender({
      client: twilio,
      from: twilioSettings.whatsappNumber,
      statusCallbackUrl: twilioSettings.statusCallbackUrl,
      window: twilioWindow,
      rateLimiter: createSendRateLimiter(redis.worker, `${keyPrefix}:twilio:rate`, config.WHATSAPP_SEND_RATE),
      pause: createRecipientPacer(redis.worker, `${keyPrefix}:twilio`),
      options: numberedOptions,
      bodyParts: createBodyParts(redis.worker, `${keyPrefix}:twilio`),
      ...(config.TWILIO_INTERACTIVE === 'content'
        ? {
            content: createContentCatalog({
              apiUrl: config.TWILIO_CONTENT_API_URL,
              accountSid: twilioSettings.accountSid,
              authToken: twilioSettings.authToken,
              redis: redis.worker,
              keyPrefix: `${keyPrefix}:twilio`,
            }),
          }
        : {}),
      templates,
      windowTemplate: parseWindowTemplate(config.WHATSAPP_WINDOW_TEMPLATE),
      errorLog: twilioSendErrors,
      metrics: gatewayMetrics,
      clock,
    });
  }
  const observers: OutboundObserver[] = [deliveryStore, conversation.observer, ...(overrides.observers ?? [])];
  // The worker connection: marking a message sent waits out a Redis blip rather than failing.
  const sendGuard = overrides.sendGuard ?? createSendGuard(redis.worker, keyPrefix, overrides.sendGuardOptions);
  // The same marks from the webhook's side, on the producer connection: a status that
  // cannot be recorded while Redis is away answers 503 at once, and Meta delivers it again.
  const sendConfirmations = createSendGuard(redis.producer, keyPrefix, overrides.sendGuardOptions);
  const groupRedis = config.BAILEYS_ENABLED && !overrides.groups ? createGroupRedis(redisUrl) : undefined;
  const groups =
    overrides.groups ??
    (groupRedis
      ? createGroupChannel({
          config,
          redis: groupRedis,
          keyPrefix: `${keyPrefix}:groups:`,
          sink,
          logger,
          metrics,
          clock,
          socketFactory: overrides.groupSocketFactory,
        })
      : undefined);
  if (groups && !senders.group) senders.group = groups.sender;
  if (groups) groupOpen = () => groups.status().state === 'open';
  const eraser = createChatEraser({
    store: conversation.store,
    staff: conversation.staff,
    deliveryStore,
    // Both numbers' windows, and the numbered choices last offered on Twilio.
    window: {
      async forget(chatId) {
        const cloud = await conversationWindow.forget(chatId);
        const twilioOpen = await twilioWindow.forget(chatId);
        const options = await numberedOptions.forget(chatId);
        return cloud || twilioOpen || options;
      },
    },
    // The producer connection: an operator's request fails fast while Redis is away.
    pacer: createRecipientPacer(redis.producer, `${keyPrefix}:cloud`),
    arrivals,
    refusedMessages,
    queues: {
      inbound: producers.inbound.queue,
      outbound: producers.outbound.queue,
      diagnostics: producers.diagnostics.queue,
    },
    redis: redis.queues,
    // Operators' messages (POST /api/send-message) often use `operator`.
    purposes: [...REPLY_PURPOSES, 'operator'],
    logger,
  });

  const context: GatewayContext = {
    config,
    logger,
    metrics,
    gatewayMetrics,
    clock,
    prefix,
    redis,
    producers,
    dashboardQueues,
    conversation,
    sink,
    arrivals,
    graph,
    conversationWindow,
    twilioWindow,
    twilio,
    numberedOptions,
    templates,
    deliveryStore,
    sendErrors,
    twilioSendErrors,
    refusedMessages,
    eraser,
    groups,
    senders,
    observers,
    sendGuard,
    sendConfirmations,
    workers: [],
    async close() {
      await Promise.allSettled(context.workers.map((w) => w.close()));
      await Promise.allSettled([groups?.stop()]);
      graph?.close();
      twilio?.close();
      await Promise.allSettled([
        producers.inbound.close(),
        producers.outbound.close(),
        producers.diagnostics.close(),
        ...Object.values(dashboardQueues).map((queue) => queue.close()),
      ]);
      await Promise.allSettled([
        closeRedis(redis.producer),
        closeRedis(redis.queues),
        closeRedis(redis.worker),
        ...(groupRedis ? [closeRedis(groupRedis)] : []),
      ]);
    },
  };
  return context;
}
