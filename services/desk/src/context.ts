import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { conversationStreamKey } from '@helpline/contracts';
import {
  createDatabase,
  createLogger,
  createMetrics,
  createRedisConnection,
  type Database,
  type Logger,
  type Redis,
  type ServiceMetrics,
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

/** Everything the desk is built from; tests replace parts through `overrides`. */
export interface DeskContext {
  config: DeskConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  clock: () => Date;
  prefix: string;
  db: Database;
  redis: {
    /** Scrape-time reads, acknowledgements of nothing blocking; fails fast. */
    producer: Redis;
    /** The consumer's blocking reads; rides out outages. */
    consumer: Redis;
    /** The retention worker's blocking commands. */
    worker: Redis;
  };
  stream: string;
  archiveMetrics: ArchiveMetrics;
  consumer: EventConsumer;
  queries: ConversationQueries;
  stats: StatsQuery;
  gateway: GatewayClient;
  close(): Promise<void>;
}

export interface DeskContextOverrides {
  logger?: Logger;
  clock?: () => Date;
  prefix?: string;
  redisUrl?: string;
  databaseUrl?: string;
  /** Consumer tuning (tests shorten the block and the reclaim idle time). */
  consumer?: { name?: string; blockMs?: number; claimIdleMs?: number; batchSize?: number; lingerMs?: number };
  fetch?: typeof fetch;
}

export function createContext(config: DeskConfig, overrides: DeskContextOverrides = {}): DeskContext {
  const logger = overrides.logger ?? createLogger({ name: SERVICE_NAME, level: config.LOG_LEVEL });
  const metrics = createMetrics(SERVICE_NAME);
  const clock = overrides.clock ?? (() => new Date());
  const prefix = overrides.prefix ?? 'bull';
  const redisUrl = overrides.redisUrl ?? config.REDIS_URL;
  const redis = {
    producer: createRedisConnection(redisUrl, 'producer'),
    consumer: createRedisConnection(redisUrl, 'worker'),
    worker: createRedisConnection(redisUrl, 'worker'),
  };
  const db = createDatabase({
    url: overrides.databaseUrl ?? config.DATABASE_URL,
    schema: DESK_SCHEMA,
    migrationsDir: MIGRATIONS_DIR,
    service: SERVICE_NAME,
    logger,
    registry: metrics.registry,
  });
  const stream = conversationStreamKey(prefix);
  const archiveMetrics = createArchiveMetrics(metrics, { redis: redis.producer, stream, group: ARCHIVE_GROUP });
  const consumer = createEventConsumer({
    redis: redis.consumer,
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
  const context: DeskContext = {
    config,
    logger,
    metrics,
    clock,
    prefix,
    db,
    redis,
    stream,
    archiveMetrics,
    consumer,
    queries: createConversationQueries(db),
    stats: createStatsQuery(db, clock),
    gateway: createGatewayClient({ baseUrl: config.GATEWAY_URL, apiToken: config.API_TOKEN, fetch: overrides.fetch }),
    async close() {
      await consumer.stop();
      await db.close();
      redis.producer.disconnect();
      redis.consumer.disconnect();
      redis.worker.disconnect();
    },
  };
  return context;
}
