import { fileURLToPath } from 'node:url';
import { QUEUE_NAMES } from '@helpline/contracts';
import {
  type CircuitBreaker,
  createDatabase,
  createLogger,
  createMetrics,
  createProducer,
  createRedisConnection,
  type Database,
  type Logger,
  type Producer,
  type Redis,
  registerQueueGauges,
  type ServiceMetrics,
} from '@helpline/runtime';
import type { Worker } from 'bullmq';
import { type CrmSettings, resolveCrmSettings, type TicketsConfig } from './config.js';
import { withBreaker } from './crm/breaker-crm.js';
import type { CrmAdapter } from './crm/crm-adapter.js';
import { createLocalCrm, type LocalCrm, parseLocalDepartments } from './crm/local/local-crm.js';
import { withLatency } from './crm/timed-crm.js';
import { createZohoDeskClient } from './crm/zoho/zoho-desk-client.js';
import { createZohoDeskCrm } from './crm/zoho/zoho-desk-crm.js';
import { createZohoTokenProvider } from './crm/zoho/zoho-token-provider.js';
import { createTicketsMetrics, type TicketsMetrics } from './metrics/tickets-metrics.js';
import { createRetryState, type RetryPolicy, type RetryState, retryPolicyFor } from './queue/retry-policy.js';
import { createTicketRecords, type TicketRecords } from './tickets/ticket-records.js';

export const SERVICE_NAME = 'tickets';

/** The local store's schema and its migrations (the same folder from src/ and dist/). */
export const DATABASE_SCHEMA = 'tickets';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Everything the tickets service is built from; tests replace parts through `overrides`. */
export interface TicketsContext {
  config: TicketsConfig;
  crmSettings: CrmSettings;
  logger: Logger;
  metrics: ServiceMetrics;
  ticketsMetrics: TicketsMetrics;
  now: () => number;
  random: () => number;
  /** BullMQ key prefix. */
  prefix: string;
  /** Prefix of the service's own Redis keys (token, records, local store). */
  keyPrefix: string;
  redis: {
    /** Queue adds during HTTP requests: fail fast while Redis is away. */
    producer: Redis;
    /** Blocking worker commands: ride out Redis outages. */
    worker: Redis;
    /** Token cache, records, locks and the local store. */
    commands: Redis;
  };
  producers: { tickets: Producer<'tickets'>; outbound: Producer<'outbound'> };
  /** The CRM as the use cases see it: timed, and behind the breaker when it is Zoho. */
  crm: CrmAdapter;
  /** The local store, when it is the CRM (status changes by staff). */
  localCrm: LocalCrm | undefined;
  /** PostgreSQL (schema `tickets`), when the local store is the CRM. */
  database: Database | undefined;
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown> | undefined;
  records: TicketRecords;
  retryPolicy: RetryPolicy;
  retryState: RetryState;
  /** Deadline of one CRM call. */
  crmDeadlineMs: number;
  /** How long POST /tickets waits for the CRM before queueing. */
  syncDeadlineMs: number;
  /** TTL of a key's lock, renewed while its attempt runs. */
  lockTtlMs: number;
  workerConcurrency: number;
  /** Workers started by `startTicketWorker`, for /health and shutdown. */
  workers: Worker[];
  close(): Promise<void>;
}

export interface TicketsContextOverrides {
  logger?: Logger;
  metrics?: ServiceMetrics;
  now?: () => number;
  random?: () => number;
  prefix?: string;
  keyPrefix?: string;
  redisUrl?: string;
  databaseUrl?: string;
  crmDeadlineMs?: number;
  syncDeadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeoutMs?: number };
  /** Refresh the Zoho token this long before it expires (default 5 min). */
  tokenExpiryMarginMs?: number;
  workerConcurrency?: number;
  addTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** Builds every dependency. Nothing listens or consumes here: main does. */
export function createContext(config: TicketsConfig, overrides: TicketsContextOverrides = {}): TicketsContext {
  const crmSettings = resolveCrmSettings(config);
  const logger = overrides.logger ?? createLogger({ name: SERVICE_NAME, level: config.LOG_LEVEL });
  const metrics = overrides.metrics ?? createMetrics(SERVICE_NAME);
  const ticketsMetrics = createTicketsMetrics(metrics);
  const now = overrides.now ?? Date.now;
  const prefix = overrides.prefix ?? 'bull';
  const keyPrefix = overrides.keyPrefix ?? 'helpline:tickets';
  const redisUrl = overrides.redisUrl ?? config.REDIS_URL;
  const crmDeadlineMs = overrides.crmDeadlineMs ?? 10_000;

  const redis = {
    producer: createRedisConnection(redisUrl, 'producer'),
    worker: createRedisConnection(redisUrl, 'worker'),
    // Waits for a (re)connect a little, then fails: a CRM call must not hang on Redis.
    commands: createRedisConnection(redisUrl, 'worker', {
      maxRetriesPerRequest: 2,
      connectionName: 'helpline-tickets-commands',
    }),
  };
  const producerOptions = { connection: redis.producer, prefix, addTimeoutMs: overrides.addTimeoutMs };
  const producers = {
    tickets: createProducer(QUEUE_NAMES.tickets, producerOptions),
    outbound: createProducer(QUEUE_NAMES.outbound, producerOptions),
  };
  registerQueueGauges(metrics, [producers.tickets.queue]);

  let crm: CrmAdapter;
  let localCrm: LocalCrm | undefined;
  let database: Database | undefined;
  let breaker: TicketsContext['breaker'];
  if (crmSettings.provider === 'zoho') {
    const zoho = crmSettings.zoho;
    const tokens = createZohoTokenProvider({
      redis: redis.commands,
      keyPrefix,
      accountsUrl: zoho.accountsUrl,
      clientId: zoho.clientId,
      clientSecret: zoho.clientSecret,
      refreshToken: zoho.refreshToken,
      deadlineMs: crmDeadlineMs,
      logger,
      refreshes: ticketsMetrics.tokenRefreshes,
      expiryMarginMs: overrides.tokenExpiryMarginMs,
      fetch: overrides.fetch,
    });
    const client = createZohoDeskClient({
      deskUrl: zoho.deskUrl,
      orgId: zoho.orgId,
      tokens,
      deadlineMs: crmDeadlineMs,
      fetch: overrides.fetch,
    });
    const desk = createZohoDeskCrm({
      client,
      defaultDepartmentId: zoho.departmentId,
      idempotencyField: zoho.idempotencyField,
    });
    const guarded = withBreaker(withLatency(desk, ticketsMetrics.crmLatency), { metrics, ...overrides.breaker });
    crm = guarded.crm;
    breaker = guarded.breaker;
  } else {
    const url = overrides.databaseUrl ?? config.DATABASE_URL;
    // The config schema refuses a local store without DATABASE_URL; this guards direct callers.
    if (!url) throw new Error('DATABASE_URL is required for the local ticket store');
    database = createDatabase({
      url,
      schema: DATABASE_SCHEMA,
      migrationsDir: MIGRATIONS_DIR,
      service: SERVICE_NAME,
      logger,
      registry: metrics.registry,
    });
    localCrm = createLocalCrm({
      database,
      departments: parseLocalDepartments(config.LOCAL_TICKET_DEPARTMENTS),
      statuses: config.LOCAL_TICKET_STATUSES,
    });
    crm = withLatency(localCrm, ticketsMetrics.crmLatency);
  }

  const retryPolicy = retryPolicyFor(config.TICKETS_RETRY_HORIZON_HOURS, overrides.retry);
  const context: TicketsContext = {
    config,
    crmSettings,
    logger,
    metrics,
    ticketsMetrics,
    now,
    random: overrides.random ?? Math.random,
    prefix,
    keyPrefix,
    redis,
    producers,
    crm,
    localCrm,
    database,
    breaker,
    records: createTicketRecords({ redis: redis.commands, keyPrefix }),
    retryPolicy,
    // Kept a day past the horizon, so a slow last retry still finds its history.
    retryState: createRetryState(redis.commands, keyPrefix, retryPolicy.horizonMs + 24 * 3600_000),
    crmDeadlineMs,
    syncDeadlineMs: overrides.syncDeadlineMs ?? Math.min(8_000, 3 * crmDeadlineMs),
    // Renewed while the attempt runs (see redis-lock), so this only bounds how long a crashed
    // attempt blocks its key; a few CRM deadlines leave room for a renewal missed while Redis blips.
    lockTtlMs: 6 * crmDeadlineMs + 5_000,
    workerConcurrency: overrides.workerConcurrency ?? config.TICKETS_CONCURRENCY,
    workers: [],
    async close() {
      await Promise.allSettled(context.workers.map((w) => w.close()));
      breaker?.shutdown();
      await Promise.allSettled([producers.tickets.close(), producers.outbound.close()]);
      await Promise.allSettled([redis.producer.quit(), redis.worker.quit(), redis.commands.quit(), database?.close()]);
    },
  };
  return context;
}
