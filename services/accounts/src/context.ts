import { fileURLToPath } from 'node:url';
import { createWisphubClient } from '@helpline/directory';
import {
  createDatabase,
  createServiceBase,
  type Database,
  type Producer,
  type ServiceBase,
  type ServiceBaseOverrides,
} from '@helpline/runtime';
import type { BillingProvider } from './billing/billing-provider.js';
import { createLocalBilling } from './billing/local-billing.js';
import { timedBilling } from './billing/timed-billing.js';
import { createWisphubBilling } from './billing/wisphub-billing.js';
import { type AccountsConfig, billingProviderOf } from './config.js';
import { createRequestHandler, type RequestHandler } from './conversation/handle-request.js';
import { loadTexts, type TextBook } from './conversation/texts.js';
import { createDocumentStore, type DocumentStore } from './documents/document-store.js';
import { createIdentityStore } from './identity/identity-store.js';
import { type AccountsMetrics, createAccountsMetrics } from './metrics/accounts-metrics.js';
import { createNoticeMetrics } from './notices/notice-metrics.js';
import { createNotices, type Notices } from './notices/notices.js';
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
  texts: TextBook;
  handle: RequestHandler;
  /** Scheduled, restored and opt-out of notices (issue 16). */
  notices: Notices;
  paymentPoints: () => Promise<PaymentPoint[]>;
}

export interface AccountsContextOverrides extends ServiceBaseOverrides {
  fetch?: typeof fetch;
  /** The ISP's name on statements. */
  issuer?: string;
  wisphubBreaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeout?: number };
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
  const raw: BillingProvider =
    provider === 'wisphub'
      ? createWisphubBilling({
          client: createWisphubClient({
            url: config.WISPHUB_API_URL as string,
            apiKey: config.WISPHUB_API_KEY as string,
            timeoutMs: config.WISPHUB_TIMEOUT_MS,
            metrics,
            logger,
            ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
            ...(overrides.wisphubBreaker ? { breaker: overrides.wisphubBreaker } : {}),
          }),
          timeZone: config.BUSINESS_TIMEZONE,
          clock,
        })
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

  return {
    ...base,
    accountsMetrics,
    db,
    producers,
    billing,
    receipts,
    documents,
    texts,
    handle,
    notices,
    paymentPoints,
  };
}
