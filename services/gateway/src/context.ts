import type { Channel, QueueName } from '@helpline/contracts';
import { createServiceBase, type Producer, type ServiceBase, type ServiceBaseOverrides } from '@helpline/runtime';
import type { Queue } from 'bullmq';
import { buildChannels } from './build-channels.js';
import { buildChannelStores } from './channel-stores.js';
import { buildGatewayQueues } from './gateway-queues.js';
import { buildSendControl } from './send-control.js';
import { buildChatEraser } from './erasure/build-chat-eraser.js';
import { buildInboundSink, type InboundSinkOverride, inboundTarget } from './ingest/build-inbound-sink.js';
import { buildDocumentAccess, buildMediaSources } from './media/build-media-access.js';
import type { DocumentSource } from './cloud/document-source.js';
import type { DocumentUrlSigner } from './media/signed-document-urls.js';
import type { ConversationWindow } from './cloud/conversation-window.js';
import type { GraphClient } from './cloud/graph-client.js';
import type { MediaChannel, MediaSource } from './media/media-source.js';
import type { SendErrorLog } from './cloud/send-error-log.js';
import type { GatewayConfig } from './config.js';
import { type Conversation, createConversation } from './conversation/create-conversation.js';
import type { DeliveryStore } from './delivery/delivery-store.js';
import type { ChatEraser } from './erasure/chat-eraser.js';
import { type ConversationEventStream, createConversationEventStream } from './events/conversation-event-stream.js';
import { registerEventStreamGauges } from './events/event-stream-gauges.js';
import type { GroupChannel } from './groups/group-channel.js';
import type { GroupSocketFactory } from './groups/group-socket.js';
import { createInboundEnqueuer } from './ingest/inbound-enqueuer.js';
import { type ArrivalLog, createArrivalLog } from './latency/arrival-log.js';
import type { MessageSink } from './ingest/message-sink.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics.js';
import type { ChannelSender, OutboundObserver } from './outbound/channel-sender.js';
import { type ChatChannels, createChatChannels } from './outbound/chat-channel.js';
import type { NoticeGate } from './outbound/notice-gate.js';
import type { SendGuard, SendGuardOptions } from './outbound/send-guard.js';
import type { RefusedMessageStore } from './webhook/refused-messages.js';
import type { TemplateBook } from './templates/templates-file.js';
import type { NumberedOptions } from './twilio/numbered-options.js';
import type { TwilioClient } from './twilio/twilio-client.js';

export const SERVICE_NAME = 'gateway';

/** Where an older release kept the gateway's own keys; moved to `helpline:gateway` at start. */
export const LEGACY_KEY_PREFIXES = ['bull:gateway'] as const;

/**
 * Everything the gateway is built from: the service base, then what is its own; tests
 * replace parts through `overrides`. Connections by name: `producer` (the gateway's own
 * keys, auto-pipelined; fails fast, HTTP paths answer 503), `queues` (BullMQ, fails fast
 * like `producer`), `worker` (the outbound worker's BullMQ commands; rides out outages),
 * `sends` (the send path's own keys, auto-pipelined; rides out outages), `groups` (group mode).
 */
export interface GatewayContext extends ServiceBase<GatewayConfig> {
  /** The gateway's own counters and histograms, on `metrics.registry`. */
  gatewayMetrics: GatewayMetrics;
  producers: {
    inbound: Producer<'inbound'>;
    outbound: Producer<'outbound'>;
    /** The menu's "check my connection". */
    diagnostics: Producer<'diagnostics'>;
    /** Documents and photos for the chat's open ticket (`attach` jobs). */
    tickets: Producer<'tickets'>;
    /** Billing, invoices, plans, password, receipts (ACCOUNTS_ENABLED). */
    accounts?: Producer<'accounts'>;
  };
  /** The four pipeline queues as the operator dashboard (/admin/queues) sees them. */
  dashboardQueues: Record<QueueName, Queue>;
  /** The conversation events the desk archives (a Redis Stream). */
  events: ConversationEventStream;
  /** The customer conversation: consent gate, menu, handoff, log, staff queries. */
  conversation: Conversation;
  /** Where the webhook (and the group adapter) hand every normalised message. */
  sink: MessageSink;
  /** Arrival of each inbound message, for the end-to-end latency of its replies. */
  arrivals: ArrivalLog;
  /** The Graph API client; absent while the Cloud API is not configured. */
  graph?: GraphClient;
  /** Documents other services made (statements), by reference. */
  documents: DocumentSource;
  /** Signs public document URLs (Twilio); absent without DOCUMENT_URL_SECRET and a public base URL. */
  documentUrls?: DocumentUrlSigner;
  /** Where GET /api/media fetches each channel's inbound media; a channel without credentials has none. */
  mediaSources: Partial<Record<MediaChannel, MediaSource>>;
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
  /** Notices held back at send time (opted out, no consent). */
  noticeGate: NoticeGate;
  /** The channel each chat last wrote on, for messages that follow the chat (`channelFromChat`). */
  chatChannels: ChatChannels;
}

export interface GatewayContextOverrides
  extends ServiceBaseOverrides,
    Partial<
      Pick<
        GatewayContext,
        | 'gatewayMetrics'
        | 'arrivals'
        | 'graph'
        | 'conversationWindow'
        | 'twilioWindow'
        | 'twilio'
        | 'numberedOptions'
        | 'templates'
        | 'deliveryStore'
        | 'sendErrors'
        | 'twilioSendErrors'
        | 'refusedMessages'
        | 'groups'
        | 'senders'
        | 'observers'
        | 'sendGuard'
        | 'mediaSources'
      >
    > {
  /**
   * Where inbound messages go instead of the conversation (its consent gate, menu and
   * handoff): given the plain enqueuer and the conversation's sink, returns the sink to use.
   */
  sink?: InboundSinkOverride;
  /** Claim TTL and waits of the send guard (tests shorten them). */
  sendGuardOptions?: SendGuardOptions;
  /** Makes group mode's Baileys socket (tests pass a fake); makeWASocket otherwise. */
  groupSocketFactory?: GroupSocketFactory;
}

/** Builds every dependency of the gateway. Nothing here listens or consumes: main does. */
export function createContext(config: GatewayConfig, overrides: GatewayContextOverrides = {}): GatewayContext {
  const base = createServiceBase(SERVICE_NAME, config, overrides);
  const { logger, metrics, clock, keyPrefix } = base;
  const gatewayMetrics = overrides.gatewayMetrics ?? createGatewayMetrics(metrics);
  const { redis, producers, dashboardQueues } = buildGatewayQueues(base);
  const enqueuer = createInboundEnqueuer({ producer: producers.inbound });
  const events = createConversationEventStream(base.prefix, config.CONVERSATION_STREAM_MAXLEN);
  registerEventStreamGauges(metrics, base.redis('queues'), events);
  const conversation = createConversation({
    redis: redis.producer,
    keyPrefix: `${keyPrefix}:conv`,
    events,
    producers,
    enqueue: enqueuer,
    metrics,
    logger,
    clock,
    config,
  });
  const arrivals = overrides.arrivals ?? createArrivalLog(redis.producer, keyPrefix);
  let groupOpen: (() => boolean) | undefined;
  const sink = buildInboundSink({
    target: inboundTarget(overrides.sink, { enqueue: enqueuer, conversation: conversation.sink }),
    arrivals,
    redis: redis.producer,
    keyPrefix,
    metrics,
    config,
    groupOpen: () => groupOpen?.(),
    clock,
  });
  const stores = buildChannelStores({ redis, keyPrefix, events, config, clock }, overrides);
  const { deliveryStore } = stores;

  // Inbound media (GET /api/media) with the channel's own credentials, which stay here.
  const mediaSources = buildMediaSources(config, overrides.mediaSources);
  const { documents, documentUrls } = buildDocumentAccess(config, clock);
  const { graph, twilio, groups, senders } = buildChannels({
    base,
    redis: redis.sends,
    stores,
    sink,
    gatewayMetrics,
    ...(documentUrls ? { documentUrls } : {}),
    given: overrides,
  });
  if (groups) groupOpen = () => groups.status().state === 'open';

  const observers: OutboundObserver[] = [deliveryStore, conversation.observer, ...(overrides.observers ?? [])];
  const { sendGuard, sendConfirmations, noticeGate } = buildSendControl({
    base,
    redis,
    conversation,
    events,
    ...(overrides.sendGuard ? { sendGuard: overrides.sendGuard } : {}),
    ...(overrides.sendGuardOptions ? { sendGuardOptions: overrides.sendGuardOptions } : {}),
  });
  const chatChannels = createChatChannels({
    chats: (chatIds) => conversation.store.getChats(chatIds),
    enabled: senders,
  });
  const eraser = buildChatEraser({
    conversation,
    ...stores,
    arrivals,
    producers,
    redis: redis.producer,
    queuesRedis: base.redis('queues'),
    keyPrefix,
    events,
    clock,
    logger,
  });

  return {
    ...base,
    gatewayMetrics,
    producers,
    dashboardQueues,
    events,
    conversation,
    sink,
    arrivals,
    graph,
    mediaSources,
    documents,
    ...(documentUrls ? { documentUrls } : {}),
    ...stores,
    twilio,
    eraser,
    groups,
    senders,
    observers,
    sendGuard,
    sendConfirmations,
    noticeGate,
    chatChannels,
  };
}
