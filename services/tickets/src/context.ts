import { fileURLToPath } from 'node:url';
import {
  type CircuitBreaker,
  createServiceBase,
  type Database,
  type Producer,
  type ServiceBase,
  type ServiceBaseOverrides,
} from '@helpline/runtime';
import { type CrmSettings, resolveCrmSettings, type TicketsConfig } from './config.js';
import { buildCrm } from './crm/build-crm.js';
import type { CrmAdapter } from './crm/crm-adapter.js';
import type { LocalCrm } from './crm/local/local-crm.js';
import { createTicketsMetrics, type TicketsMetrics } from './metrics/tickets-metrics.js';
import { createRetryState, type RetryPolicy, type RetryState, retryPolicyFor } from './queue/retry-policy.js';
import { createTicketEvents, type TicketEvents } from './tickets/ticket-events.js';
import { createTicketRecords, type TicketRecords } from './tickets/ticket-records.js';

import {
  type AttachmentRecords,
  type ChatTickets,
  createAttachmentRecords,
  createChatTickets,
} from './attachments/chat-tickets.js';
import { createGatewayMedia, type GatewayMedia } from './attachments/gateway-media.js';
export const SERVICE_NAME = 'tickets';

/** The local store's schema and its migrations (the same folder from src/ and dist/). */
export const DATABASE_SCHEMA = 'tickets';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Everything the tickets service is built from: the service base, then what is its own.
 * Connections by name: `producer` (queue adds during HTTP requests fail fast), `worker`
 * (blocking commands ride out outages), `commands` (token cache, records, locks, the local
 * store: waits for a reconnect a little, then fails, so a CRM call never hangs on Redis).
 */
export interface TicketsContext extends ServiceBase<TicketsConfig> {
  crmSettings: CrmSettings;
  /** The tickets counters and histograms, on `metrics.registry`. */
  ticketsMetrics: TicketsMetrics;
  random: () => number;
  producers: { tickets: Producer<'tickets'>; outbound: Producer<'outbound'> };
  /** The CRM as the use cases see it: timed, and behind the breaker when it is Zoho. */
  crm: CrmAdapter;
  /** The local store, when it is the CRM (status changes by staff). */
  localCrm: LocalCrm | undefined;
  /** PostgreSQL (schema `tickets`), when the local store is the CRM. */
  database: Database | undefined;
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown> | undefined;
  records: TicketRecords;
  /** Which ticket each chat has open (by key), and what each attachment job did. */
  chatTickets: ChatTickets;
  attachmentRecords: AttachmentRecords;
  /** The gateway's media endpoint: the bytes of a document or photo to attach. */
  gatewayMedia: GatewayMedia;
  /** Tickets opened for a chat and local status changes, on the desk's event stream. */
  ticketEvents: TicketEvents;
  retryPolicy: RetryPolicy;
  retryState: RetryState;
  /** Deadline of one CRM call. */
  crmDeadlineMs: number;
  /** How long POST /tickets waits for the CRM before queueing. */
  syncDeadlineMs: number;
  /** TTL of a key's lock, renewed while its attempt runs. */
  lockTtlMs: number;
  workerConcurrency: number;
}

export interface TicketsContextOverrides extends ServiceBaseOverrides {
  random?: () => number;
  /** PostgreSQL of the local store (tests); config.DATABASE_URL otherwise. */
  databaseUrl?: string;
  crmDeadlineMs?: number;
  syncDeadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeoutMs?: number };
  /** Refresh the Zoho token this long before it expires (default 5 min). */
  tokenExpiryMarginMs?: number;
  workerConcurrency?: number;
  fetch?: typeof fetch;
}

/** Builds every dependency of the service from its config; nothing listens or consumes here: main does. */
export function createContext(config: TicketsConfig, overrides: TicketsContextOverrides = {}): TicketsContext {
  const crmSettings = resolveCrmSettings(config);
  const base = createServiceBase(SERVICE_NAME, config, overrides);
  const { metrics, keyPrefix } = base;
  const ticketsMetrics = createTicketsMetrics(metrics);
  const crmDeadlineMs = overrides.crmDeadlineMs ?? 10_000;
  const commands = base.redis('commands', 'worker', { maxRetriesPerRequest: 2 });
  base.redis('worker');
  const producers = { tickets: base.producer('tickets'), outbound: base.producer('outbound') };
  base.gaugeQueues(['tickets']);

  const { crm, localCrm, database, breaker } = buildCrm({
    base,
    crmSettings,
    commands,
    ticketsMetrics,
    crmDeadlineMs,
    store: { schema: DATABASE_SCHEMA, migrationsDir: MIGRATIONS_DIR, service: SERVICE_NAME },
    overrides,
  });

  const retryPolicy = retryPolicyFor(config.TICKETS_RETRY_HORIZON_HOURS, overrides.retry);
  return {
    ...base,
    chatTickets: createChatTickets({ redis: commands, keyPrefix }),
    attachmentRecords: createAttachmentRecords({ redis: commands, keyPrefix }),
    gatewayMedia: createGatewayMedia({
      gatewayUrl: config.GATEWAY_URL,
      token: config.API_TOKEN,
      maxBytes: config.TICKETS_ATTACHMENT_MAX_BYTES,
      fetch: overrides.fetch,
    }),
    crmSettings,
    ticketsMetrics,
    random: overrides.random ?? Math.random,
    producers,
    crm,
    localCrm,
    database,
    breaker,
    records: createTicketRecords({ redis: commands, keyPrefix }),
    // The BullMQ prefix: the stream is the gateway's, under the same prefix as the queues.
    ticketEvents: createTicketEvents({ redis: commands, prefix: base.prefix, clock: base.clock }),
    retryPolicy,
    // Kept a day past the horizon, so a slow last retry still finds its history.
    retryState: createRetryState(commands, keyPrefix, retryPolicy.horizonMs + 24 * 3600_000),
    crmDeadlineMs,
    syncDeadlineMs: overrides.syncDeadlineMs ?? Math.min(8_000, 3 * crmDeadlineMs),
    // Renewed while the attempt runs (runtime keepLease), so this only bounds how long a crashed
    // attempt blocks its key; a few CRM deadlines leave room for a renewal missed while Redis blips.
    lockTtlMs: 6 * crmDeadlineMs + 5_000,
    workerConcurrency: overrides.workerConcurrency ?? config.TICKETS_CONCURRENCY,
  };
}
