import type { QueueName } from '@helpline/contracts';
import { Queue, type Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { createLogger } from '../logging/create-logger.js';
import { createMetrics, type ServiceMetrics } from '../metrics/create-metrics.js';
import { registerQueueGauges } from '../metrics/queue-gauges.js';
import { createProducer, type Producer } from '../queues/producer.js';
import { createRedisConnection, type Redis, type RedisRole } from '../queues/redis-connection.js';
import { closeRedis } from '../redis/close-redis.js';
import { type KeyPrefixMigration, migrateKeyPrefix } from '../redis/migrate-key-prefix.js';

/** The one clock of every service: the wall time now. Tests pass a fixed or stepped one. */
export type Clock = () => Date;

/** BullMQ's key prefix. Queues are shared between services, so every service uses the same one. */
export const QUEUE_PREFIX = 'bull';

/** Where a service's own Redis keys live: `helpline:<service>:...`. */
export function serviceKeyPrefix(service: string): string {
  return `helpline:${service}`;
}

export interface ServiceBaseConfig {
  REDIS_URL: string;
  LOG_LEVEL: string;
}

export interface ServiceBaseOverrides {
  logger?: Logger;
  metrics?: ServiceMetrics;
  clock?: Clock;
  /** BullMQ key prefix; tests use a unique one per run so they never see each other's jobs. */
  prefix?: string;
  /**
   * Prefix of the service's own keys. Default `helpline:<service>`, or `<prefix>:<service>`
   * when a test gave its own `prefix`, so one override isolates everything a test writes.
   */
  keyPrefix?: string;
  /** Redis URL for every connection (tests); config.REDIS_URL otherwise. */
  redisUrl?: string;
  /** How long a producer add may take before the caller is told Redis is unavailable. */
  addTimeoutMs?: number;
}

/** A resource closed on shutdown: after the workers, before the producers and Redis. */
export interface ServiceResource {
  name: string;
  close(): unknown;
}

/**
 * What every service is built from, and the one place that closes it. `context.ts` of a
 * service makes its base first, then its own parts from the base's pieces; `main.ts` adds
 * its workers and the HTTP app, and hands `close` to the graceful shutdown.
 */
export interface ServiceBase<C extends ServiceBaseConfig = ServiceBaseConfig> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  /** The service's registry, default process metrics and job metrics. */
  readonly metrics: ServiceMetrics;
  readonly clock: Clock;
  readonly prefix: string;
  readonly keyPrefix: string;
  readonly redisUrl: string;
  /**
   * A named connection, made on first use (with `role` and `options`) and closed by `close`.
   * `producer` fails fast (HTTP paths answer 503); `worker` rides out outages (blocking
   * commands); `queues` carries the producers. Other names are further connections of the
   * role given on first use (default producer, or worker for `worker`).
   */
  redis(name?: string, role?: RedisRole, options?: RedisOptions): Redis;
  /** A producer for a queue, on the `queues` connection (a producer-role connection of its own). */
  producer<Q extends QueueName>(queue: Q): Producer<Q>;
  /** Depth gauges for the queues this service consumes, read when Prometheus scrapes. */
  gaugeQueues(queues: readonly QueueName[]): Queue[];
  /** A started worker: shown by /health, closed first on shutdown (its active jobs finish). */
  addWorker(worker: Worker): Worker;
  readonly workers: readonly Worker[];
  /** Something else to close, after the workers; closed in reverse order of adding. */
  addResource(resource: ServiceResource): void;
  /**
   * Moves the keys an older release wrote under another prefix (`bull:gateway`, ...) to
   * `keyPrefix`, so an upgrade loses nothing (see migrateKeyPrefix). Main calls it once at
   * start, before it listens or consumes.
   */
  migrateKeys(legacyPrefixes: readonly string[]): Promise<KeyPrefixMigration[]>;
  /** Resolves true once every connection made so far is ready, false after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Workers, then resources (last added first), then producers and queues, then Redis. */
  close(): Promise<void>;
}

export function createServiceBase<C extends ServiceBaseConfig>(
  name: string,
  config: C,
  overrides: ServiceBaseOverrides = {},
): ServiceBase<C> {
  const logger = overrides.logger ?? createLogger({ name, level: config.LOG_LEVEL });
  const metrics = overrides.metrics ?? createMetrics(name);
  const clock = overrides.clock ?? (() => new Date());
  const prefix = overrides.prefix ?? QUEUE_PREFIX;
  const keyPrefix = overrides.keyPrefix ?? (overrides.prefix ? `${overrides.prefix}:${name}` : serviceKeyPrefix(name));
  const redisUrl = overrides.redisUrl ?? config.REDIS_URL;

  const connections = new Map<string, Redis>();
  const producers = new Map<QueueName, Producer<QueueName>>();
  const gaugedQueues: Queue[] = [];
  const workers: Worker[] = [];
  const resources: ServiceResource[] = [];

  const redis = (
    connectionName = 'producer',
    role: RedisRole = connectionName === 'worker' ? 'worker' : 'producer',
    options: RedisOptions = {},
  ): Redis => {
    let connection = connections.get(connectionName);
    if (!connection) {
      connection = createRedisConnection(redisUrl, role, {
        connectionName: `helpline-${name}-${connectionName}`,
        ...options,
      });
      connections.set(connectionName, connection);
    }
    return connection;
  };

  return {
    name,
    config,
    logger,
    metrics,
    clock,
    prefix,
    keyPrefix,
    redisUrl,
    redis,
    producer<Q extends QueueName>(queue: Q): Producer<Q> {
      let producer = producers.get(queue) as Producer<Q> | undefined;
      if (!producer) {
        // BullMQ defines its Lua commands on the client it is given; a connection of its own
        // keeps them off the service's other (possibly auto-pipelined) connections.
        producer = createProducer(queue, {
          connection: redis('queues'),
          prefix,
          addTimeoutMs: overrides.addTimeoutMs,
        });
        producers.set(queue, producer as unknown as Producer<QueueName>);
      }
      return producer;
    },
    gaugeQueues(queues) {
      const made = queues.map((queueName) => {
        const existing = producers.get(queueName);
        if (existing) return existing.queue as Queue;
        const queue = new Queue(queueName, { connection: redis('queues'), prefix });
        // A scrape that cannot reach Redis leaves the series out; an unheard 'error' event would crash the process.
        queue.on('error', () => {});
        gaugedQueues.push(queue);
        return queue;
      });
      registerQueueGauges(metrics, made);
      return made;
    },
    addWorker(worker) {
      workers.push(worker);
      return worker;
    },
    workers,
    addResource(resource) {
      resources.push(resource);
    },
    async migrateKeys(legacyPrefixes) {
      const results: KeyPrefixMigration[] = [];
      for (const legacy of legacyPrefixes) {
        // The worker connection waits for Redis rather than failing while it connects.
        const result = await migrateKeyPrefix(redis('worker'), legacy, keyPrefix);
        if (result.found > 0) logger.info({ from: legacy, to: keyPrefix, ...result }, 'keys moved to the new prefix');
        results.push(result);
      }
      return results;
    },
    async ready(timeoutMs = 5_000) {
      const until = performance.now() + timeoutMs;
      while (performance.now() < until) {
        if ([...connections.values()].every((c) => c.status === 'ready')) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    },
    async close() {
      // Stop taking work first: a worker's close waits for its active jobs, which may still
      // need every resource and connection below.
      await Promise.allSettled(workers.map((worker) => worker.close()));
      for (const resource of [...resources].reverse()) {
        try {
          await resource.close();
        } catch (error) {
          logger.warn({ err: error, resource: resource.name }, 'closing a resource failed');
        }
      }
      await Promise.allSettled([
        ...[...producers.values()].map((producer) => producer.close()),
        ...gaugedQueues.map((queue) => queue.close()),
      ]);
      await Promise.allSettled([...connections.values()].map((connection) => closeRedis(connection)));
    },
  };
}
