import {
  createLogger,
  createMetrics,
  createProducer,
  createRedisConnection,
  type Logger,
  type Producer,
  type Redis,
  registerQueueGauges,
  type ServiceMetrics,
} from '@helpline/runtime';
import { Queue } from 'bullmq';
import type { NetworkConfig } from './config.js';
import { type CustomerDirectory, emptyDirectory } from '@helpline/directory';
import { createFileDirectory } from '@helpline/directory';
import { createWisphubDirectory, type WisphubOptions } from '@helpline/directory';
import type { DiagnosticJobDeps } from './diagnosis/diagnose.js';
import { LastReportStore } from './diagnosis/last-report-store.js';
import { RouterRegistry } from './diagnosis/router-registry.js';
import type { CheckSettings } from './diagnosis/run-checks.js';
import { createNetworkMetrics, type NetworkMetrics } from './metrics.js';
import { RouterClient, type RouterClientOptions } from './routeros/router-client.js';
import type { ConnectionTimeouts } from './routeros/router-connection.js';

/** Tuning that is not an operator setting; tests shorten it. */
export interface NetworkTuning {
  timeouts: ConnectionTimeouts;
  commandTimeoutMs: number;
  pingMarginMs: number;
  pingCount: number;
  pingIntervalMs: number;
  poolSize: number;
  maxConcurrent: number;
  queueTimeoutMs: number;
  idleMs: number;
  wisphubTimeoutMs: number;
  wisphubBreaker?: WisphubOptions['breaker'];
  breaker?: RouterClientOptions['breaker'];
  /** A diagnosis' claim on its customer lives this long without renewal (renewed while it runs). */
  claimTtlMs: number;
  /** How long a second request for the same customer waits for the running diagnosis, and how often it looks. */
  claimWaitMs: number;
  claimPollMs: number;
}

export const DEFAULT_TUNING: NetworkTuning = {
  timeouts: { connectMs: 5_000, closeMs: 2_000, idleSocketSeconds: 60, keepalive: true },
  commandTimeoutMs: 5_000,
  pingMarginMs: 2_000,
  pingCount: 5,
  pingIntervalMs: 1_000,
  poolSize: 2,
  maxConcurrent: 4,
  queueTimeoutMs: 10_000,
  idleMs: 30_000,
  wisphubTimeoutMs: 5_000,
  claimTtlMs: 15_000,
  // Above the longest diagnosis: connect, three commands, a 5-packet ping and a wait for a slot.
  claimWaitMs: 60_000,
  claimPollMs: 100,
};

export interface NetworkContext extends DiagnosticJobDeps {
  config: NetworkConfig;
  logger: Logger;
  serviceMetrics: ServiceMetrics;
  metrics: NetworkMetrics;
  redis: Redis;
  workerRedis: Redis;
  prefix: string | undefined;
  outbound: Producer<'outbound'>;
  tickets: Producer<'tickets'>;
  /** The queue this service consumes, read for the queue-depth gauges. */
  diagnosticsQueue: Queue;
  /** Operator-facing notes about missing configuration, said at start and in /health. */
  notices: string[];
  /** Resolves once Redis answers (or after `timeoutMs`): the producer connection fails fast rather than queueing. */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ContextOverrides {
  logger?: Logger;
  prefix?: string;
  now?: () => Date;
  tuning?: Partial<NetworkTuning>;
  directory?: CustomerDirectory;
}

export function createContext(config: NetworkConfig, overrides: ContextOverrides = {}): NetworkContext {
  const logger = overrides.logger ?? createLogger({ name: 'network', level: config.LOG_LEVEL });
  const serviceMetrics = createMetrics('network');
  const metrics = createNetworkMetrics(serviceMetrics);
  const tuning: NetworkTuning = { ...DEFAULT_TUNING, ...overrides.tuning };
  const now = overrides.now ?? (() => new Date());
  const prefix = overrides.prefix;

  const redis = createRedisConnection(config.REDIS_URL, 'producer');
  const workerRedis = createRedisConnection(config.REDIS_URL, 'worker');
  const outbound = createProducer('outbound', { connection: redis, prefix });
  const tickets = createProducer('tickets', { connection: redis, prefix });
  const diagnosticsQueue = new Queue('diagnostics', { connection: redis, ...(prefix ? { prefix } : {}) });
  // Read errors surface in the gauges (the series is left out); an unheard 'error' event would crash the process.
  diagnosticsQueue.on('error', () => {});
  registerQueueGauges(serviceMetrics, [diagnosticsQueue]);

  const notices: string[] = [];
  if (config.routers.length === 0)
    notices.push(
      'router not configured: set MIKROTIK_HOST (or MIKROTIK_ROUTERS); diagnoses answer "router not configured"',
    );
  if (config.prefixes.length === 0) notices.push('CUSTOMER_PREFIXES is empty: no customer address may be pinged');

  const routers = new RouterRegistry(
    config.routers.map(
      (endpoint) =>
        new RouterClient(endpoint, {
          timeouts: tuning.timeouts,
          policy: {
            prefixes: config.prefixes,
            commandTimeoutMs: tuning.commandTimeoutMs,
            pingMarginMs: tuning.pingMarginMs,
          },
          poolSize: tuning.poolSize,
          maxConcurrent: tuning.maxConcurrent,
          queueTimeoutMs: tuning.queueTimeoutMs,
          idleMs: tuning.idleMs,
          metrics: serviceMetrics,
          networkMetrics: metrics,
          logger,
          ...(tuning.breaker ? { breaker: tuning.breaker } : {}),
        }),
    ),
  );

  let directory: CustomerDirectory = overrides.directory ?? emptyDirectory;
  if (!overrides.directory) {
    if (config.WISPHUB_API_URL && config.WISPHUB_API_KEY) {
      directory = createWisphubDirectory({
        url: config.WISPHUB_API_URL,
        apiKey: config.WISPHUB_API_KEY,
        timeoutMs: tuning.wisphubTimeoutMs,
        metrics: serviceMetrics,
        logger,
        ...(tuning.wisphubBreaker ? { breaker: tuning.wisphubBreaker } : {}),
      });
    } else if (config.customers) {
      directory = createFileDirectory(config.customers);
    } else {
      notices.push('no customer directory: set CUSTOMERS_FILE or WISPHUB_API_URL and WISPHUB_API_KEY');
    }
  }

  const settings: CheckSettings = {
    pingCount: tuning.pingCount,
    pingIntervalMs: tuning.pingIntervalMs,
    prefixes: config.prefixes,
    queueSaturation: 0.9,
    slowRttMs: 150,
  };

  return {
    config,
    logger,
    serviceMetrics,
    metrics,
    redis,
    workerRedis,
    prefix,
    outbound,
    tickets,
    directory,
    routers,
    diagnosticsQueue,
    lastReports: new LastReportStore(redis, prefix ?? 'bull', config.DIAGNOSIS_COOLDOWN_MINUTES * 60_000, {
      claimTtlMs: tuning.claimTtlMs,
    }),
    claimWait: { waitMs: tuning.claimWaitMs, pollMs: tuning.claimPollMs },
    settings,
    now,
    notices,
    async ready(timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (redis.status === 'ready' && workerRedis.status === 'ready') return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    },
    async close() {
      await routers.close();
      await outbound.close();
      await tickets.close();
      await diagnosticsQueue.close();
      redis.disconnect();
      workerRedis.disconnect();
    },
  };
}
