import { fileURLToPath } from 'node:url';
import { createWisphubDirectory } from '@helpline/directory';
import {
  createDatabase,
  createServiceBase,
  type Database,
  type Producer,
  type ServiceBase,
  type ServiceBaseOverrides,
} from '@helpline/runtime';
import type { BillingProvider } from './billing/billing-provider.js';
import { buildBilling } from './billing/build-billing.js';
import { type AudienceSource, localAudienceSource, wisphubAudienceSource } from './broadcasts/audience.js';
import { type BroadcastParts, buildBroadcasts } from './broadcasts/build-broadcasts.js';
import { createWindowClient, type WindowClient } from './broadcasts/window-client.js';
import type { AccountsConfig } from './config.js';
import { buildRequestHandler } from './conversation/build-request-handler.js';
import type { RequestHandler } from './conversation/handle-request.js';
import { loadTexts, type TextBook } from './conversation/texts.js';
import { createDocumentStore, type DocumentStore } from './documents/document-store.js';
import { createIdentityStore, type IdentityStore } from './identity/identity-store.js';
import { type AccountsMetrics, createAccountsMetrics } from './metrics/accounts-metrics.js';
import { buildNotices } from './notices/build-notices.js';
import type { Notices } from './notices/notices.js';
import { buildOutages } from './outages/build-outages.js';
import type { Outages } from './outages/outages.js';
import { localPaymentPoints } from './payment-points/local-payment-points.js';
import { type PaymentPoint, readPaymentPointsFile } from './payment-points/payment-points.js';
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
  broadcasts: BroadcastParts;
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
  const { logger, metrics, keyPrefix } = base;
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

  const { billing, wisphub } = buildBilling(base, db, accountsMetrics, overrides);

  // A file wins over the built-in table; it is read once, at start (a bad row stops the start).
  const fromFile = config.PAYMENT_POINTS_FILE ? readPaymentPointsFile(config.PAYMENT_POINTS_FILE) : undefined;
  const paymentPoints = fromFile ? async () => fromFile : localPaymentPoints(db);

  const texts = loadTexts();
  const notices = buildNotices(base, { db, billing, outbound: producers.outbound, texts });
  const identity = createIdentityStore({
    redis: base.redis('producer'),
    prefix: `${keyPrefix}:`,
    proofHours: config.IDENTITY_PROOF_HOURS,
  });
  const handle = buildRequestHandler(
    base,
    { billing, documents, receipts, identity, producers, paymentPoints, metrics: accountsMetrics, texts, notices },
    overrides,
  );

  // Broadcasts and outages reach the same customers (one WispHub client, one breaker).
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
  const broadcasts = buildBroadcasts(base, {
    db,
    audience,
    windows,
    outbound: producers.outbound,
    ...(overrides.broadcast ? { tuning: overrides.broadcast } : {}),
  });
  const outages = buildOutages(base, {
    db,
    audience,
    windows,
    outbound: producers.outbound,
    texts,
    languages: notices.languages,
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
