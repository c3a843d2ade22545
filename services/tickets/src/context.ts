import {
  type CircuitBreaker,
  createServiceBase,
  type Producer,
  type ServiceBase,
  type ServiceBaseOverrides,
} from '@helpline/runtime';
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
}

export interface TicketsContextOverrides extends ServiceBaseOverrides {
  random?: () => number;
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
  const { logger, metrics, keyPrefix } = base;
  const ticketsMetrics = createTicketsMetrics(metrics);
  const crmDeadlineMs = overrides.crmDeadlineMs ?? 10_000;
  const commands = base.redis('commands', 'worker', { maxRetriesPerRequest: 2 });
  base.redis('worker');
  const producers = { tickets: base.producer('tickets'), outbound: base.producer('outbound') };
  base.gaugeQueues(['tickets']);

  let crm: CrmAdapter;
  let localCrm: LocalCrm | undefined;
  let breaker: TicketsContext['breaker'];
  if (crmSettings.provider === 'zoho') {
    const zoho = crmSettings.zoho;
    const tokens = createZohoTokenProvider({
      redis: commands,
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
    base.addResource({ name: 'crm breaker', close: () => guarded.breaker.shutdown() });
  } else {
    localCrm = createLocalCrm({
      redis: commands,
      keyPrefix,
      departments: parseLocalDepartments(config.LOCAL_TICKET_DEPARTMENTS),
      statuses: config.LOCAL_TICKET_STATUSES,
    });
    crm = withLatency(localCrm, ticketsMetrics.crmLatency);
  }

  const retryPolicy = retryPolicyFor(config.TICKETS_RETRY_HORIZON_HOURS, overrides.retry);
  return {
    ...base,
    crmSettings,
    ticketsMetrics,
    random: overrides.random ?? Math.random,
    producers,
    crm,
    localCrm,
    breaker,
    records: createTicketRecords({ redis: commands, keyPrefix }),
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
