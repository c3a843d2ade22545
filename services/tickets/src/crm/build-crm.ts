// The CRM the tickets service talks to, from its settings: Zoho Desk (token provider, client,
// adapter, timed and behind the breaker) or the local store in PostgreSQL (timed). What each
// needs closed on shutdown is handed to the service base.
import { type CircuitBreaker, createDatabase, type Database, type Redis, type ServiceBase } from '@helpline/runtime';
import type { CrmSettings, TicketsConfig, ZohoSettings } from '../config.js';
import type { TicketsMetrics } from '../metrics/tickets-metrics.js';
import { withBreaker } from './breaker-crm.js';
import type { CrmAdapter } from './crm-adapter.js';
import { createLocalCrm, type LocalCrm, parseLocalDepartments } from './local/local-crm.js';
import { withLatency } from './timed-crm.js';
import { createZohoDeskClient } from './zoho/zoho-desk-client.js';
import { createZohoDeskCrm } from './zoho/zoho-desk-crm.js';
import { createZohoTokenProvider } from './zoho/zoho-token-provider.js';

export interface BuiltCrm {
  crm: CrmAdapter;
  localCrm: LocalCrm | undefined;
  database: Database | undefined;
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown> | undefined;
}

export interface CrmParts {
  base: ServiceBase<TicketsConfig>;
  crmSettings: CrmSettings;
  /** The `commands` connection: the token cache waits for a reconnect a little, then fails. */
  commands: Redis;
  ticketsMetrics: TicketsMetrics;
  crmDeadlineMs: number;
  /** The local store's PostgreSQL schema, its migrations, and the service it belongs to. */
  store: { schema: string; migrationsDir: string; service: string };
  overrides: {
    databaseUrl?: string;
    breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeoutMs?: number };
    tokenExpiryMarginMs?: number;
    fetch?: typeof fetch;
  };
}

export function buildCrm(parts: CrmParts): BuiltCrm {
  return parts.crmSettings.provider === 'zoho' ? buildZohoCrm(parts, parts.crmSettings.zoho) : buildLocalCrm(parts);
}

function buildZohoCrm(parts: CrmParts, zoho: ZohoSettings): BuiltCrm {
  const { base, crmDeadlineMs, ticketsMetrics, overrides } = parts;
  const tokens = createZohoTokenProvider({
    redis: parts.commands,
    keyPrefix: base.keyPrefix,
    accountsUrl: zoho.accountsUrl,
    clientId: zoho.clientId,
    clientSecret: zoho.clientSecret,
    refreshToken: zoho.refreshToken,
    deadlineMs: crmDeadlineMs,
    logger: base.logger,
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
  const guarded = withBreaker(withLatency(desk, ticketsMetrics.crmLatency), {
    metrics: base.metrics,
    ...overrides.breaker,
  });
  base.addResource({ name: 'crm breaker', close: () => guarded.breaker.shutdown() });
  return { crm: guarded.crm, breaker: guarded.breaker, localCrm: undefined, database: undefined };
}

function buildLocalCrm(parts: CrmParts): BuiltCrm {
  const { base, store } = parts;
  const { config } = base;
  const url = parts.overrides.databaseUrl ?? config.DATABASE_URL;
  // The config schema refuses a local store without DATABASE_URL; this guards direct callers.
  if (!url) throw new Error('DATABASE_URL is required for the local ticket store');
  const database = createDatabase({
    url,
    schema: store.schema,
    migrationsDir: store.migrationsDir,
    service: store.service,
    logger: base.logger,
    registry: base.metrics.registry,
  });
  // Closed after the workers (their jobs may still write), before Redis.
  base.addResource({ name: 'database', close: () => database.close() });
  const localCrm = createLocalCrm({
    database,
    departments: parseLocalDepartments(config.LOCAL_TICKET_DEPARTMENTS),
    statuses: config.LOCAL_TICKET_STATUSES,
    clock: base.clock,
  });
  return { crm: withLatency(localCrm, parts.ticketsMetrics.crmLatency), localCrm, database, breaker: undefined };
}
