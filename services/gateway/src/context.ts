import type { Channel, QueueName } from '@helpline/contracts';
import { createServiceBase, type Producer, type ServiceBase, type ServiceBaseOverrides } from '@helpline/runtime';
import type { Queue } from 'bullmq';
import { createDashboardQueues } from './admin/dashboard-queues.js';
import { buildCloudChannel } from './cloud/build-cloud-channel.js';
import { createServiceDocumentSource, type DocumentSource } from './cloud/document-source.js';
import { createDocumentUrlSigner, type DocumentUrlSigner } from './media/signed-document-urls.js';
import { type ConversationWindow, createConversationWindow } from './cloud/conversation-window.js';
import type { GraphClient } from './cloud/graph-client.js';
import { createCloudMediaSource } from './media/cloud-media-source.js';
import type { MediaChannel, MediaSource } from './media/media-source.js';
import { createRecipientPacer } from './cloud/recipient-pacer.js';
import { createSendErrorLog, type SendErrorLog } from './cloud/send-error-log.js';
import { cloudApiConfigured, type GatewayConfig, twilioConfigured } from './config.js';
import { type Conversation, createConversation } from './conversation/create-conversation.js';
import { createDeliveryStore, type DeliveryStore } from './delivery/delivery-store.js';
import { type ChatEraser, createChatEraser } from './erasure/chat-eraser.js';
import { type ConversationEventStream, createConversationEventStream } from './events/conversation-event-stream.js';
import { registerEventStreamGauges } from './events/event-stream-gauges.js';
import { buildGroupMode, type GroupChannel } from './groups/group-channel.js';
import type { GroupSocketFactory } from './groups/group-socket.js';
import { createInboundEnqueuer } from './ingest/inbound-enqueuer.js';
import { type ArrivalLog, createArrivalLog } from './latency/arrival-log.js';
import { recordArrivals } from './latency/arrival-recording-sink.js';
import { createInboundSilence, noteInboundArrivals } from './metrics/inbound-silence.js';
import { REPLY_PURPOSES } from './latency/reply-purpose.js';
import type { MessageSink } from './ingest/message-sink.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics.js';
import type { ChannelSender, OutboundObserver } from './outbound/channel-sender.js';
import { type ChatChannels, createChatChannels } from './outbound/chat-channel.js';
import { createNoticeGate, type NoticeGate } from './outbound/notice-gate.js';
import { createSendGuard, type SendGuard, type SendGuardOptions } from './outbound/send-guard.js';
import { createRefusedMessageStore, type RefusedMessageStore } from './webhook/refused-messages.js';
import { loadTemplatesFile, type TemplateBook } from './templates/templates-file.js';
import { createNumberedOptions, type NumberedOptions } from './twilio/numbered-options.js';
import type { TwilioClient } from './twilio/twilio-client.js';
import { buildTwilioChannel } from './twilio/build-twilio-channel.js';
import { createTwilioMediaSource } from './twilio/twilio-media.js';

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
  sink?: MessageSink | ((parts: { enqueue: MessageSink; conversation: MessageSink }) => MessageSink);
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
  // Auto-pipelining: the commands of concurrent webhook requests leave in one write instead
  // of one syscall each (measured with `npm run bench`). BullMQ defines its fifty-odd Lua
  // commands on the client it is given, and ioredis copies every defined command into each
  // automatic pipeline it builds: on an auto-pipelined connection that copying took a
  // twelfth of the gateway's CPU under load, so the queues have the base's `queues`
  // connection to themselves.
  // The send path (the send guard's claims and marks, the send rate, pacing, notice checks)
  // has a connection of its own too, auto-pipelined for the same reason: on the worker
  // connection, which BullMQ's worker shares, each of its commands was a write of its own
  // (a profile under the pipeline bench put those writes at a twentieth of the gateway's CPU).
  // Worker role: a send waits out a Redis blip rather than failing.
  const redis = {
    producer: base.redis('producer', 'producer', { enableAutoPipelining: true }),
    sends: base.redis('sends', 'worker', { enableAutoPipelining: true }),
  };
  const producers = {
    inbound: base.producer('inbound'),
    outbound: base.producer('outbound'),
    /** The menu's "check my connection". */
    diagnostics: base.producer('diagnostics'),
    /** Documents and photos for the chat's open ticket (`attach` jobs). */
    tickets: base.producer('tickets'),
    ...(config.ACCOUNTS_ENABLED ? { accounts: base.producer('accounts') } : {}),
  };
  // Depth of the queue the gateway consumes, read when Prometheus scrapes; the services
  // consuming `inbound` and `diagnostics` report those.
  base.gaugeQueues(['outbound']);
  // The queues connection: the board's reads fail fast while Redis is away, like the API.
  const dashboardQueues = createDashboardQueues(base.redis('queues'), base.prefix);
  base.addResource({
    name: 'dashboard queues',
    close: () => Promise.allSettled(Object.values(dashboardQueues).map((queue) => queue.close())),
  });
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
  const target =
    typeof overrides.sink === 'function'
      ? overrides.sink({ enqueue: enqueuer, conversation: conversation.sink })
      : (overrides.sink ?? conversation.sink);
  // Every channel's inbound passes here (webhook and group adapter): the one place that
  // records arrivals for the end-to-end latency and for the silent-loss alarm.
  const sink = noteInboundArrivals(recordArrivals(target, arrivals, clock), inboundSilence, clock);
  const conversationWindow = overrides.conversationWindow ?? createConversationWindow(redis.producer, keyPrefix);
  const twilioWindow = overrides.twilioWindow ?? createConversationWindow(redis.producer, `${keyPrefix}:twilio`);
  const numberedOptions = overrides.numberedOptions ?? createNumberedOptions(redis.producer, `${keyPrefix}:twilio`);
  // Validated at start: a broken file stops the gateway with one line per fault (main).
  const templates = overrides.templates ?? loadTemplatesFile(config.WHATSAPP_TEMPLATES_FILE);
  const deliveryStore = overrides.deliveryStore ?? createDeliveryStore(redis.producer, keyPrefix, clock, events);
  const sendErrors =
    overrides.sendErrors ??
    createSendErrorLog({ write: redis.sends, read: redis.producer }, `${keyPrefix}:cloud:last-error`);
  const twilioSendErrors =
    overrides.twilioSendErrors ??
    createSendErrorLog({ write: redis.sends, read: redis.producer }, `${keyPrefix}:twilio:last-error`);
  const refusedMessages =
    overrides.refusedMessages ?? createRefusedMessageStore(redis.producer, `${keyPrefix}:webhook:refused`);

  const cloud = buildCloudChannel({
    config,
    redis: redis.sends,
    keyPrefix,
    window: conversationWindow,
    errorLog: sendErrors,
    metrics: gatewayMetrics,
    clock,
    ...(overrides.graph ? { graph: overrides.graph } : {}),
    templates,
  });
  if (cloud.graph) base.addResource({ name: 'graph client', close: () => cloud.graph?.close() });
  // Inbound media (GET /api/media) with the channel's own credentials, which stay here.
  const mediaSources: Partial<Record<MediaChannel, MediaSource>> = { ...overrides.mediaSources };
  if (!mediaSources.cloud && config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID) {
    mediaSources.cloud = createCloudMediaSource({
      baseUrl: config.GRAPH_API_URL,
      version: config.GRAPH_API_VERSION,
      phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
      accessToken: config.WHATSAPP_ACCESS_TOKEN,
      maxBytes: config.MEDIA_MAX_BYTES,
    });
  }
  if (!mediaSources.twilio && twilioConfigured(config)) {
    mediaSources.twilio = createTwilioMediaSource({
      apiUrl: config.TWILIO_API_URL,
      accountSid: config.TWILIO_ACCOUNT_SID!,
      authToken: config.TWILIO_AUTH_TOKEN!,
      maxBytes: config.MEDIA_MAX_BYTES,
    });
  }
  // Statements by reference: fetched from the service that made them (operator token); for
  // Twilio, offered at a signed, expiring public URL of this gateway, which fetches them so.
  const documents = createServiceDocumentSource({
    urls: { accounts: config.ACCOUNTS_URL },
    ...(config.API_TOKEN ? { token: config.API_TOKEN } : {}),
  });
  const publicBaseUrl =
    config.PUBLIC_BASE_URL ?? (config.TWILIO_WEBHOOK_URL ? new URL(config.TWILIO_WEBHOOK_URL).origin : undefined);
  const documentUrls =
    config.DOCUMENT_URL_SECRET && publicBaseUrl
      ? createDocumentUrlSigner({
          secret: config.DOCUMENT_URL_SECRET,
          publicBaseUrl,
          ttlSeconds: config.DOCUMENT_URL_TTL_SECONDS,
          clock,
        })
      : undefined;
  const twilioChannel = buildTwilioChannel({
    config,
    ...(documentUrls ? { documentUrls } : {}),
    redis: redis.sends,
    keyPrefix,
    window: twilioWindow,
    options: numberedOptions,
    templates,
    errorLog: twilioSendErrors,
    metrics: gatewayMetrics,
    clock,
    ...(overrides.twilio ? { client: overrides.twilio } : {}),
  });
  const twilio = twilioChannel.client;
  if (twilio) base.addResource({ name: 'twilio client', close: () => twilio.close() });
  const groups =
    overrides.groups ??
    buildGroupMode({
      base,
      config,
      sink,
      socketFactory: overrides.groupSocketFactory,
      keyPrefix: `${keyPrefix}:groups:`,
    });
  if (groups) {
    groupOpen = () => groups.status().state === 'open';
    base.addResource({ name: 'group channel', close: () => groups.stop() });
  }
  const senders: Partial<Record<Channel, ChannelSender>> = { ...overrides.senders };
  if (cloud.sender && !senders.cloud) senders.cloud = cloud.sender;
  if (twilioChannel.sender && !senders.twilio) senders.twilio = twilioChannel.sender;
  if (groups && !senders.group) senders.group = groups.sender;

  const observers: OutboundObserver[] = [deliveryStore, conversation.observer, ...(overrides.observers ?? [])];
  // The sends connection: marking a message sent waits out a Redis blip rather than failing.
  const sendGuard = overrides.sendGuard ?? createSendGuard(redis.sends, keyPrefix, overrides.sendGuardOptions);
  // The same marks from the webhook's side, on the producer connection: a status that
  // cannot be recorded while Redis is away answers 503 at once, and Meta delivers it again.
  const sendConfirmations = createSendGuard(redis.producer, keyPrefix, overrides.sendGuardOptions);
  // The sends connection, like the send guard: a Redis blip delays a notice, never fails it.
  const noticeGate = createNoticeGate({
    redis: redis.sends,
    prefix: base.prefix,
    getChat: (chatId) => conversation.store.getChat(chatId),
    noticeVersion: config.PRIVACY_NOTICE_VERSION,
    events,
    metrics,
    clock,
  });
  const chatChannels = createChatChannels({
    chats: (chatIds) => conversation.store.getChats(chatIds),
    enabled: senders,
  });
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
      ...(producers.accounts ? { accounts: producers.accounts.queue } : {}),
    },
    redis: base.redis('queues'),
    // Operators' messages (POST /api/send-message) often use `operator`.
    purposes: [...REPLY_PURPOSES, 'operator'],
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
    graph: cloud.graph,
    mediaSources,
    documents,
    ...(documentUrls ? { documentUrls } : {}),
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
    noticeGate,
    chatChannels,
  };
}
