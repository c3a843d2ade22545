import { createServiceBase, type Producer, type ServiceBase, type ServiceBaseOverrides } from '@helpline/runtime';
import type { NetworkConfig } from './config.js';
import { type CustomerDirectory, emptyDirectory } from '@helpline/directory';
import { createFileDirectory } from '@helpline/directory';
import { createWisphubDirectory, type WisphubOptions } from '@helpline/directory';
import type { DiagnosticJobDeps } from './diagnosis/diagnose.js';
import { LastReportStore } from './diagnosis/last-report-store.js';
import { RouterRegistry } from './diagnosis/router-registry.js';
import type { CheckSettings } from './diagnosis/run-checks.js';
import { createNetworkMetrics, type NetworkMetrics } from './metrics.js';
import { accountsOutageResolve } from './outages/accounts-outage-resolve.js';
import { createOutageProbe, type OutageProbe } from './outages/outage-probe.js';
import { accountsOutageSignal, createOutageWatch } from './outages/outage-watch.js';
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

export const SERVICE_NAME = 'network';

/** Where an older release kept the service's own keys; moved to `helpline:network` at start. */
export const LEGACY_KEY_PREFIXES = ['bull:network'] as const;

/** Everything the network service is built from: the service base, then what is its own. */
export interface NetworkContext extends ServiceBase<NetworkConfig>, Omit<DiagnosticJobDeps, 'logger' | 'clock'> {
  /** The diagnosis counters and histograms, on `metrics.registry`. */
  networkMetrics: NetworkMetrics;
  producers: { outbound: Producer<'outbound'>; tickets: Producer<'tickets'> };
  /** Operator-facing notes about missing configuration, said at start and in /health. */
  notices: string[];
  /** Ends outages by themselves (OUTAGE_PROBE_INTERVAL_MS); started by the workers, absent when 0. */
  outageProbe?: OutageProbe;
}

export interface NetworkContextOverrides extends ServiceBaseOverrides {
  tuning?: Partial<NetworkTuning>;
  directory?: CustomerDirectory;
  /** How outages are signalled to the accounts service (tests); fetch to ACCOUNTS_URL otherwise. */
  fetch?: typeof fetch;
}

type Observers = Pick<ServiceBase<NetworkConfig>, 'metrics' | 'logger'>;

/** One client (pool, concurrency limit, breaker) per configured router. */
function createRouters(
  config: NetworkConfig,
  tuning: NetworkTuning,
  observers: Observers & { networkMetrics: NetworkMetrics },
): RouterRegistry {
  return new RouterRegistry(
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
          ...observers,
          ...(tuning.breaker ? { breaker: tuning.breaker } : {}),
        }),
    ),
  );
}

/** WispHub when configured, else CUSTOMERS_FILE, else none (and a notice saying so). */
function createDirectory(
  config: NetworkConfig,
  tuning: NetworkTuning,
  observers: Observers,
  notices: string[],
): CustomerDirectory {
  if (config.WISPHUB_API_URL && config.WISPHUB_API_KEY) {
    return createWisphubDirectory({
      url: config.WISPHUB_API_URL,
      apiKey: config.WISPHUB_API_KEY,
      timeoutMs: tuning.wisphubTimeoutMs,
      ...observers,
      ...(tuning.wisphubBreaker ? { breaker: tuning.wisphubBreaker } : {}),
    });
  }
  if (config.customers) return createFileDirectory(config.customers);
  notices.push('no customer directory: set CUSTOMERS_FILE or WISPHUB_API_URL and WISPHUB_API_KEY');
  return emptyDirectory;
}

/** Builds every dependency of the service from its config; nothing listens or consumes here: main does. */
export function createContext(config: NetworkConfig, overrides: NetworkContextOverrides = {}): NetworkContext {
  const base = createServiceBase(SERVICE_NAME, config, overrides);
  const { logger, metrics } = base;
  const networkMetrics = createNetworkMetrics(metrics);
  const tuning: NetworkTuning = { ...DEFAULT_TUNING, ...overrides.tuning };
  const producers = { outbound: base.producer('outbound'), tickets: base.producer('tickets') };
  base.gaugeQueues(['diagnostics']);
  // Made now, so that `ready()` waits for both: the worker connection and the one below.
  base.redis('worker');

  const notices: string[] = [];
  if (config.routers.length === 0)
    notices.push(
      'router not configured: set MIKROTIK_HOST (or MIKROTIK_ROUTERS); diagnoses answer "router not configured"',
    );
  if (config.prefixes.length === 0) notices.push('CUSTOMER_PREFIXES is empty: no customer address may be pinged');

  const routers = createRouters(config, tuning, { metrics, networkMetrics, logger });
  base.addResource({ name: 'routers', close: () => routers.close() });

  const directory = overrides.directory ?? createDirectory(config, tuning, { metrics, logger }, notices);

  const settings: CheckSettings = {
    pingCount: tuning.pingCount,
    pingIntervalMs: tuning.pingIntervalMs,
    prefixes: config.prefixes,
    queueSaturation: 0.9,
    slowRttMs: 150,
  };

  const accountsAccess = {
    accountsUrl: config.ACCOUNTS_URL,
    ...(config.API_TOKEN ? { token: config.API_TOKEN } : {}),
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  };
  const outageProbe =
    config.OUTAGE_PROBE_INTERVAL_MS > 0 && config.ACCOUNTS_URL
      ? createOutageProbe({
          redis: base.redis('producer'),
          prefix: base.prefix,
          keyPrefix: base.keyPrefix,
          routers,
          directory,
          settings,
          intervalMs: config.OUTAGE_PROBE_INTERVAL_MS,
          goodProbes: config.OUTAGE_PROBES_TO_RESOLVE,
          resolve: accountsOutageResolve(accountsAccess),
          resolved: networkMetrics.outagesEndedByProbe,
          clock: base.clock,
          logger,
        })
      : undefined;
  // Stopped before the routers and Redis close (resources close last added first).
  if (outageProbe) base.addResource({ name: 'outage probe', close: () => outageProbe.stop() });

  return {
    ...base,
    networkMetrics,
    ...(outageProbe ? { outageProbe } : {}),
    producers,
    directory,
    routers,
    lastReports: new LastReportStore(
      base.redis('producer'),
      base.keyPrefix,
      config.DIAGNOSIS_COOLDOWN_MINUTES * 60_000,
      {
        claimTtlMs: tuning.claimTtlMs,
      },
    ),
    claimWait: { waitMs: tuning.claimWaitMs, pollMs: tuning.claimPollMs },
    settings,
    notices,
    outages: createOutageWatch({
      redis: base.redis('producer'),
      prefix: base.prefix,
      keyPrefix: base.keyPrefix,
      threshold: config.OUTAGE_DIAGNOSES_THRESHOLD,
      windowMinutes: config.OUTAGE_WINDOW_MINUTES,
      ...(config.ACCOUNTS_URL ? { signal: accountsOutageSignal(accountsAccess) } : {}),
      clock: base.clock,
      logger,
    }),
  };
}
