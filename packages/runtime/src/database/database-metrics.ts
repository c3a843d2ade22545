import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics/create-metrics.js';

export type QueryOutcome = 'ok' | 'error';

/**
 * Pool and query metrics. Labels are the schema, a query name the caller chose (a handful
 * per service) and the outcome: never SQL text, parameters, or anything about a customer.
 */
export interface DatabaseMetrics {
  observeQuery(queryName: string, outcome: QueryOutcome, seconds: number): void;
  countConnectRetry(): void;
  /** Stops reporting this pool (after `close()`). */
  forget(): void;
}

interface Watched {
  pool: Pool;
  /** Whether the server answers now; read at scrape time. */
  answers: () => Promise<boolean>;
}

interface SharedMetrics {
  pools: Map<string, Watched>;
  queryDuration: Histogram<'schema' | 'query' | 'outcome'>;
  connectRetries: Counter<'schema'>;
}

// Several databases (tests, a service with two schemas) may share one registry, where a
// metric name can be registered only once: the metrics are made once per registry.
const byRegistry = new WeakMap<Registry, SharedMetrics>();

export function createDatabaseMetrics(
  registry: Registry,
  schema: string,
  pool: Pool,
  answers: () => Promise<boolean>,
): DatabaseMetrics {
  const shared = byRegistry.get(registry) ?? register(registry);
  const watched = { pool, answers };
  shared.pools.set(schema, watched);
  return {
    observeQuery: (query, outcome, seconds) => shared.queryDuration.observe({ schema, query, outcome }, seconds),
    countConnectRetry: () => shared.connectRetries.inc({ schema }),
    forget: () => {
      if (shared.pools.get(schema) === watched) shared.pools.delete(schema);
    },
  };
}

function register(registry: Registry): SharedMetrics {
  const pools = new Map<string, Watched>();
  const poolGauge = (name: string, help: string, read: (pool: Pool) => number): void => {
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['schema'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [schema, { pool }] of pools) this.set({ schema }, read(pool));
      },
    });
  };
  poolGauge('db_pool_connections', 'PostgreSQL connections open in the pool (idle and in use)', (p) => p.totalCount);
  poolGauge('db_pool_idle_connections', 'PostgreSQL connections open and idle in the pool', (p) => p.idleCount);
  poolGauge('db_pool_waiting_clients', 'Queries waiting for a free PostgreSQL connection', (p) => p.waitingCount);
  // Asked at scrape time, like the queue gauges ask Redis, so an outage shows (and alerts)
  // even when no request or job touches the database. Registered after the pool gauges, which
  // are read first, so its own probe never shows as a waiting client.
  new Gauge({
    name: `${METRIC_PREFIX}db_up`,
    help: 'Whether PostgreSQL answered SELECT 1 at this scrape (1) or not (0)',
    labelNames: ['schema'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const entries = [...pools];
      const answers = await Promise.all(entries.map(([, w]) => w.answers()));
      for (const [i, [schema]] of entries.entries()) this.set({ schema }, answers[i] ? 1 : 0);
    },
  });
  const shared: SharedMetrics = {
    pools,
    queryDuration: new Histogram({
      name: `${METRIC_PREFIX}db_query_duration_seconds`,
      help: 'Time of one database query or transaction, by schema, query name and outcome',
      labelNames: ['schema', 'query', 'outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    connectRetries: new Counter({
      name: `${METRIC_PREFIX}db_connect_retries_total`,
      help: 'Failed attempts to get a PostgreSQL connection that were retried after a pause',
      labelNames: ['schema'] as const,
      registers: [registry],
    }),
  };
  byRegistry.set(registry, shared);
  return shared;
}
