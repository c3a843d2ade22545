import { fileURLToPath } from 'node:url';
import type { WhatsAppTemplatesFile } from '@helpline/contracts';
import { createWisphubClient, createWisphubDirectory } from '@helpline/directory';
import {
  createDatabase,
  createServiceBase,
  type Database,
  type Producer,
  type ServiceBase,
  type ServiceBaseOverrides,
} from '@helpline/runtime';
import type { BillingProvider } from './billing/billing-provider.js';
import { type AudienceSource, localAudienceSource, wisphubAudienceSource } from './broadcasts/audience.js';
import { type BroadcastMetrics, createBroadcastMetrics } from './broadcasts/broadcast-metrics.js';
import { readTemplatesFile } from './broadcasts/broadcast-request.js';
import { type BroadcastStore, createBroadcastStore } from './broadcasts/broadcast-store.js';
import { type Broadcasts, createBroadcasts } from './broadcasts/broadcasts.js';
import { createDispatcher, type Dispatcher } from './broadcasts/dispatcher.js';
import { createSendPacer } from './broadcasts/send-pacer.js';
import { createWindowClient, type WindowClient } from './broadcasts/window-client.js';
import { createLocalBilling } from './billing/local-billing.js';
import { timedBilling } from './billing/timed-billing.js';
import { createWisphubBilling } from './billing/wisphub-billing.js';
import { type AccountsConfig, billingProviderOf } from './config.js';
import { createRequestHandler, type RequestHandler } from './conversation/handle-request.js';
import { loadTexts, type TextBook } from './conversation/texts.js';
import { createDocumentStore, type DocumentStore } from './documents/document-store.js';
import { createIdentityStore, type IdentityStore } from './identity/identity-store.js';
import { type AccountsMetrics, createAccountsMetrics } from './metrics/accounts-metrics.js';
import { createNoticeMetrics } from './notices/notice-metrics.js';
import { createNotices, type Notices } from './notices/notices.js';
import { registerOutageMetrics } from './outages/outage-metrics.js';
import { createOutageStore } from './outages/outage-store.js';
import { createOutages, type Outages } from './outages/outages.js';
import { localPaymentPoints } from './payment-points/local-payment-points.js';
import { type PaymentPoint, readPaymentPointsFile } from './payment-points/payment-points.js';
import { createMediaClient } from './receipts/media-client.js';
import { createReceiptStore, type ReceiptStore } from './receipts/receipt-store.js';

export const SERVICE_NAME = 'accounts';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Everything the accounts service is built from: the service base, then what is its own.
 * Connections by name: `producer` (the identity store, during a job: fails fast, the job is
 * retried), `queues` (the producers), `worker` (the `accounts` consumer's blocking commands).
 * Its own keys (what a chat proved) live under `keyPrefix`.
 */
export interface AccountsContext extends ServiceBase<AccountsConfig> {
  /** The accounts counters and histograms, on `metrics.registry`. */
  accountsMetrics: AccountsMetrics;
  /** PostgreSQL, schema `accounts`. */
  db: Database;
  producers: { outbound: Producer<'outbound'>; tickets: Producer<'tickets'>; accounts: Producer<'accounts'> };
  billing: BillingProvider;
  receipts: ReceiptStore;
  documents: DocumentStore;
  /** What each chat proved and awaits (Redis); the erasure forgets it. */
  identity: IdentityStore;
  texts: TextBook;
  handle: RequestHandler;
  /** Scheduled, restored and opt-out of notices (issue 16). */
  notices: Notices;
  paymentPoints: () => Promise<PaymentPoint[]>;
  /** Broadcasts: the store, the pacer that hands them out, the staff's operations. */
  broadcasts: {
    store: BroadcastStore;
    dispatcher: Dispatcher;
    service: Broadcasts;
    metrics: BroadcastMetrics;
    templates: WhatsAppTemplatesFile;
  };
  /** General outages: the record, the notices, the open ones published for the network service. */
  outages: Outages;
}

export interface AccountsContextOverrides extends ServiceBaseOverrides {
  fetch?: typeof fetch;
  /** The ISP's name on statements. */
  issuer?: string;
  wisphubBreaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeout?: number };
  /** The gateway's window answers (tests); made from GATEWAY_URL otherwise. */
  windows?: WindowClient;
  /** Broadcast dispatch tuning (tests). */
  broadcast?: { staleAfterMs?: number; batchSize?: number };
}

/** Builds every dependency. Nothing listens, consumes or migrates here: main does. */
export function createContext(config: AccountsConfig, overrides: AccountsContextOverrides = {}): AccountsContext {
  const base = createServiceBase(SERVICE_NAME, config, overrides);
  const { logger, metrics, clock, keyPrefix } = base;
  const producers = {
    outbound: base.producer('outbound'),
    tickets: base.producer('tickets'),
    accounts: base.producer('accounts'),
  };
  base.gaugeQueues(['accounts']);
  // Made now, so that `ready()` waits for the worker's connection too.
  base.redis('worker');
  const db = createDatabase({
    url: config.DATABASE_URL,
    schema: 'accounts',
    migrationsDir: MIGRATIONS_DIR,
    service: SERVICE_NAME,
    logger,
    registry: metrics.registry,
  });
  // Closed after the workers (their jobs may still read and write), before Redis.
  base.addResource({ name: 'database', close: () => db.close() });
  const receipts = createReceiptStore(db);
  const documents = createDocumentStore(db);
  const accountsMetrics = createAccountsMetrics(metrics, () => receipts.pendingStats(config.RECEIPT_REVIEW_HOURS));

  const provider = billingProviderOf(config);
  // One WispHub client (one breaker) for the billing and the broadcast audiences.
  const wisphub =
    provider === 'wisphub'
      ? createWisphubClient({
          url: config.WISPHUB_API_URL as string,
          apiKey: config.WISPHUB_API_KEY as string,
          timeoutMs: config.WISPHUB_TIMEOUT_MS,
          metrics,
          logger,
          ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
          ...(overrides.wisphubBreaker ? { breaker: overrides.wisphubBreaker } : {}),
        })
      : undefined;
  const raw: BillingProvider = wisphub
    ? createWisphubBilling({ client: wisphub, timeZone: config.BUSINESS_TIMEZONE, clock })
    : createLocalBilling(db);
  const billing = timedBilling(raw, accountsMetrics.backOffice);

  // A file wins over the built-in table; it is read once, at start (a bad row stops the start).
  const fromFile = config.PAYMENT_POINTS_FILE ? readPaymentPointsFile(config.PAYMENT_POINTS_FILE) : undefined;
  const paymentPoints = fromFile ? async () => fromFile : localPaymentPoints(db);

  const texts = loadTexts();
  const notices = createNotices({
    db,
    redis: base.redis('producer'),
    prefix: base.prefix,
    billing,
    outbound: producers.outbound,
    texts,
    metrics: createNoticeMetrics(metrics, {
      enabled: config.NOTICES_ENABLED,
      lastRunAt: () => notices.ledger.lastRunAt(),
      startedAt: clock(),
    }),
    logger,
    clock,
    enabled: config.NOTICES_ENABLED,
    timeZone: config.BUSINESS_TIMEZONE,
    daysBeforeDue: config.NOTICE_DAYS_BEFORE_DUE,
    countryCode: config.NOTICE_COUNTRY_CODE,
  });
  const identity = createIdentityStore({
    redis: base.redis('producer'),
    prefix: `${keyPrefix}:`,
    proofHours: config.IDENTITY_PROOF_HOURS,
  });
  const handle = createRequestHandler({
    billing,
    documents,
    tickets: producers.tickets,
    outbound: producers.outbound,
    paymentPoints,
    metrics: accountsMetrics,
    clock,
    issuer: overrides.issuer ?? 'Helpline',
    identity,
    texts,
    maxIdentityTries: config.IDENTITY_MAX_TRIES,
    media: createMediaClient({
      gatewayUrl: config.GATEWAY_URL,
      token: config.API_TOKEN,
      maxBytes: config.RECEIPT_MAX_BYTES,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    }),
    receipts,
    maxBytes: config.RECEIPT_MAX_BYTES,
    notices,
  });

  // The outcome counter is made with the gauges, which read the store: the store counts through it.
  let countOutcome: (state: string, n: number) => void = () => {};
  const broadcastStore = createBroadcastStore(db, { onChange: (state, n) => countOutcome(state, n) });
  const audience: AudienceSource = wisphub
    ? wisphubAudienceSource(createWisphubDirectory({ client: wisphub } as Parameters<typeof createWisphubDirectory>[0]))
    : localAudienceSource(db);
  const windows =
    overrides.windows ??
    createWindowClient({
      gatewayUrl: config.GATEWAY_URL,
      ...(config.API_TOKEN ? { token: config.API_TOKEN } : {}),
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    });
  const broadcastMetrics = createBroadcastMetrics(metrics, () => broadcastStore.activeCounts());
  countOutcome = (state, n) => broadcastMetrics.outcomes.inc({ outcome: state }, n);
  const dispatcher = createDispatcher({
    store: broadcastStore,
    outbound: producers.outbound,
    pacer: createSendPacer(
      base.redis('producer'),
      `${keyPrefix}:broadcast:pace`,
      (config.WHATSAPP_SEND_RATE * config.BROADCAST_RATE_PERCENT) / 100,
    ),
    windows,
    redis: base.redis('producer'),
    keyPrefix,
    clock,
    logger,
    ...(overrides.broadcast ?? {}),
    onHanded: (n) => broadcastMetrics.handedOut.inc(n),
  });
  // Stopped before the database and Redis close (resources close last added first).
  base.addResource({ name: 'broadcast dispatcher', close: () => dispatcher.stop() });
  const templates = readTemplatesFile(config.WHATSAPP_TEMPLATES_FILE);
  const broadcasts = {
    store: broadcastStore,
    dispatcher,
    metrics: broadcastMetrics,
    templates,
    service: createBroadcasts({
      store: broadcastStore,
      audience,
      windows,
      dispatcher,
      templates,
      countryCode: config.NOTICE_COUNTRY_CODE,
      clock,
      logger,
    }),
  };

  const outageStore = createOutageStore(db);
  registerOutageMetrics(metrics, async () => (await outageStore.openOnes()).length);
  const outages = createOutages({
    store: outageStore,
    audience,
    windows,
    outbound: producers.outbound,
    redis: base.redis('producer'),
    // The BullMQ prefix: the network service reads the open outages under its own.
    prefix: base.prefix,
    countryCode: config.NOTICE_COUNTRY_CODE,
    noticeHours: config.OUTAGE_NOTICE_HOURS,
    texts,
    languages: notices.languages,
    clock,
    logger,
  });

  return {
    ...base,
    accountsMetrics,
    db,
    producers,
    billing,
    receipts,
    documents,
    identity,
    texts,
    handle,
    notices,
    paymentPoints,
    broadcasts,
    outages,
  };
}
