import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { conversationStreamKey } from '@helpline/contracts';
import {
  createDatabase,
  createServiceBase,
  type Database,
  type ServiceBase,
  type ServiceBaseOverrides,
} from '@helpline/runtime';
import { type ArchiveMetrics, createArchiveMetrics } from './archive/archive-metrics.js';
import { archiveBatch } from './archive/archive-writer.js';
import { createEventConsumer, type EventConsumer } from './archive/event-consumer.js';
import type { DeskConfig } from './config.js';
import { createGatewayClient, type GatewayClient } from './gateway/gateway-client.js';
import { type ConversationQueries, createConversationQueries } from './queries/conversation-queries.js';
import { createStatsQuery, type StatsQuery } from './queries/stats-query.js';

export const SERVICE_NAME = 'desk';
/** The desk's schema in the shared database: only its own migrations touch it. */
export const DESK_SCHEMA = 'desk';
/** The consumer group of the conversation event stream. */
export const ARCHIVE_GROUP = 'desk-archive';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Everything the desk is built from: the service base, then what is its own. Connections by
 * name: `producer` (scrape-time reads and health; fails fast), `consumer` (the archive's
 * blocking stream reads; rides out outages), `worker` (the retention worker's blocking
 * commands), `queues` (the retention queue). The desk has no keys of its own: the event
 * stream is the gateway's, under the shared queue prefix.
 */
export interface DeskContext extends ServiceBase<DeskConfig> {
  /** PostgreSQL, schema `desk`. */
  db: Database;
  /** The conversation event stream the archive reads. */
  stream: string;
  archiveMetrics: ArchiveMetrics;
  consumer: EventConsumer;
  queries: ConversationQueries;
  stats: StatsQuery;
  gateway: GatewayClient;
}

export interface DeskContextOverrides extends ServiceBaseOverrides {
  /** PostgreSQL (tests); config.DATABASE_URL otherwise. */
  databaseUrl?: string;
  /** Consumer tuning (tests shorten the block and the reclaim idle time). */
  consumer?: { name?: string; blockMs?: number; claimIdleMs?: number; batchSize?: number; lingerMs?: number };
  fetch?: typeof fetch;
}

/** Builds every dependency of the desk from its config; nothing listens, consumes or migrates here: main does. */
export function createContext(config: DeskConfig, overrides: DeskContextOverrides = {}): DeskContext {
  const base = createServiceBase(SERVICE_NAME, config, overrides);
  const { logger, metrics, prefix, clock } = base;
  const db = createDatabase({
    url: overrides.databaseUrl ?? config.DATABASE_URL,
    schema: DESK_SCHEMA,
    migrationsDir: MIGRATIONS_DIR,
    service: SERVICE_NAME,
    logger,
    registry: metrics.registry,
  });
  // Closed after the consumer (added below, so closed before it): its last batch may still commit.
  base.addResource({ name: 'database', close: () => db.close() });
  const stream = conversationStreamKey(prefix);
  const archiveMetrics = createArchiveMetrics(metrics, { redis: base.redis('producer'), stream, group: ARCHIVE_GROUP });
  const consumer = createEventConsumer({
    redis: base.redis('consumer', 'worker'),
    db,
    stream,
    group: ARCHIVE_GROUP,
    // Host and port: a restarted desk takes the same name and re-reads its own pending entries at
    // once; only a desk that is gone for good waits for the reclaim (claimIdleMs).
    consumer: overrides.consumer?.name ?? `${hostname()}-${config.DESK_PORT}`,
    batchSize: overrides.consumer?.batchSize ?? config.ARCHIVE_BATCH_SIZE,
    blockMs: overrides.consumer?.blockMs ?? 2_000,
    lingerMs: overrides.consumer?.lingerMs ?? config.ARCHIVE_LINGER_MS,
    claimIdleMs: overrides.consumer?.claimIdleMs ?? 60_000,
    archive: archiveBatch,
    metrics: archiveMetrics,
    logger,
  });
  base.addResource({ name: 'archive consumer', close: () => consumer.stop() });
  // Made now, so that `ready()` waits for the retention worker's connection too.
  base.redis('worker');

  return {
    ...base,
    db,
    stream,
    archiveMetrics,
    consumer,
    queries: createConversationQueries(db),
    stats: createStatsQuery(db, clock),
    gateway: createGatewayClient({ baseUrl: config.GATEWAY_URL, apiToken: config.API_TOKEN, fetch: overrides.fetch }),
  };
}
