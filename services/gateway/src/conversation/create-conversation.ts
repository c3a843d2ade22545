import type { ConversationEvent } from '@helpline/contracts';
import type { Logger, Producer, Redis, ServiceMetrics } from '@helpline/runtime';
import type { ConversationEventStream } from '../events/conversation-event-stream.js';
import { createInboundEnqueuer } from '../ingest/inbound-enqueuer.js';
import type { MessageSink } from '../ingest/message-sink.js';
import type { OutboundObserver } from '../outbound/channel-sender.js';
import type { ConversationConfig } from './conversation-config.js';
import { createConversationMetrics } from './conversation-metrics.js';
import { createConversationStore, type ConversationStore } from './conversation-store.js';
import { createHandoff } from './handoff.js';
import { createInboundHandler } from './handle-inbound.js';
import { createOutboundLog } from './outbound-log.js';
import { createReplies } from './replies.js';
import { createStaffQueries, type StaffQueries } from './staff-queries.js';
import { loadTexts, type TextBook } from './texts.js';

export interface ConversationDeps {
  /** A connection that fails fast while Redis is away (the webhook then answers 503). */
  redis: Redis;
  /** Prefix of the conversation's own keys, e.g. `<bull prefix>:conv`. */
  keyPrefix: string;
  /** The desk's event stream: every fact the conversation records goes there too. */
  events: ConversationEventStream;
  producers: {
    inbound: Producer<'inbound'>;
    outbound: Producer<'outbound'>;
    diagnostics: Producer<'diagnostics'>;
    /** Documents and photos a customer sends go to the chat's open ticket (`attach` jobs). */
    tickets?: Producer<'tickets'>;
    /** The accounts service's queue; without it billing, invoices and plans answer from the data file. */
    accounts?: Producer<'accounts'>;
  };
  /** The plain sink onto `inbound`; by default the enqueuer on `producers.inbound`. */
  enqueue?: MessageSink;
  metrics: ServiceMetrics;
  logger: Logger;
  clock: () => Date;
  config: ConversationConfig;
  /** The customer-facing texts; by default the data files beside this module. */
  texts?: TextBook;
}

export interface Conversation {
  /** The webhook's sink: Cloud API chats pass the consent gate, groups go straight on. */
  sink: MessageSink;
  /** Logs sent messages and their delivery, records classifications, starts handoffs. */
  observer: OutboundObserver;
  staff: StaffQueries;
  store: ConversationStore;
}

/** Builds the customer conversation from its dependencies; opens nothing itself. */
export function createConversation(deps: ConversationDeps): Conversation {
  const { config } = deps;
  const store = createConversationStore({
    redis: deps.redis,
    prefix: deps.keyPrefix,
    historyMax: config.CONVERSATION_HISTORY_MAX,
    ttlDays: config.CONVERSATION_TTL_DAYS,
    events: deps.events,
  });
  const metrics = createConversationMetrics(deps.metrics);
  const replies = createReplies(deps.texts ?? loadTexts(), {
    noticeVersion: config.PRIVACY_NOTICE_VERSION,
    handoffHours: config.HANDOFF_TIMEOUT_HOURS,
  });
  const handoff = createHandoff({
    store,
    outbound: deps.producers.outbound,
    replies,
    metrics,
    handoffHours: config.HANDOFF_TIMEOUT_HOURS,
  });
  const sink = createInboundHandler({
    store,
    recordGroupEvent: (event) => deps.events.append(deps.redis, event),
    enqueue: deps.enqueue ?? createInboundEnqueuer({ producer: deps.producers.inbound }),
    inbound: deps.producers.inbound,
    outbound: deps.producers.outbound,
    diagnostics: deps.producers.diagnostics,
    ...(deps.producers.tickets ? { tickets: deps.producers.tickets } : {}),
    ...(deps.producers.accounts ? { accounts: deps.producers.accounts } : {}),
    replies,
    handoff,
    metrics,
    clock: deps.clock,
    noticeVersion: config.PRIVACY_NOTICE_VERSION,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  });
  // Support groups have no conversation log: each of their messages is recorded for the desk
  // by an event of its own (one XADD), in both directions.
  const recordGroupEvent = (event: ConversationEvent) => deps.events.append(deps.redis, event);
  const observer = createOutboundLog({
    store,
    recordGroupEvent,
    handoff,
    clock: deps.clock,
    noticeVersion: config.PRIVACY_NOTICE_VERSION,
    logger: deps.logger,
  });
  const staff = createStaffQueries({
    store,
    handoff,
    metrics,
    clock: deps.clock,
    noticeVersion: config.PRIVACY_NOTICE_VERSION,
  });
  return { sink, observer, staff, store };
}
