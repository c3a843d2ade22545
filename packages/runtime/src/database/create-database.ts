import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CheckResult, HealthCheck } from '../http/health.js';
import { describeDatabaseError, isConnectionError } from './connection-errors.js';
import { createDatabaseMetrics } from './database-metrics.js';
import { type MigrationReport, migrateSchema } from './migrate.js';
import { assertSchemaName } from './schema-name.js';

export type { PoolClient, QueryResult, QueryResultRow } from 'pg';
export type { MigrationReport } from './migrate.js';

export interface CreateDatabaseOptions {
  /** `DATABASE_URL`: postgres://user:password@host:port/database */
  url: string;
  /** The service's own schema: its migrations, and every connection's search_path. */
  schema: string;
  /** The service's `migrations/` folder of `NNNN_name.sql` files. */
  migrationsDir: string;
  /** Shown to PostgreSQL as `application_name` (pg_stat_activity). */
  service: string;
  logger: Logger;
  registry: Registry;
  /**
   * Longest a statement may run before PostgreSQL cancels it (migrations are exempt).
   * @defaultValue 10000
   */
  statementTimeoutMs?: number;
  /** @defaultValue 10 */
  poolMax?: number;
  /**
   * How long `query`, `transaction` and `migrate` keep trying to get a connection while the
   * server is away or restarting, pausing with a growing delay between attempts.
   * @defaultValue 15000
   */
  connectRetryMs?: number;
  /** @defaultValue 5000 */
  connectTimeoutMs?: number;
}

/** A checked-out connection inside `transaction`: queries here are timed like the others. */
export interface DatabaseClient {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
    queryName?: string,
  ): Promise<pg.QueryResult<R>>;
  /** The raw node-postgres client, for what `query` does not cover (COPY streams). */
  readonly connection: pg.PoolClient;
}

export interface Database {
  readonly schema: string;
  /** node-postgres pool; its connections have search_path = the schema, then public. */
  readonly pool: pg.Pool;
  /**
   * One statement on a pooled connection. `queryName` labels the duration metric: a fixed
   * name per call site, never built from data. A failure to connect is retried with backoff
   * (the statement never reached the server); a statement that failed is not retried here,
   * since it may have been applied: the caller (a job, a request) decides.
   */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
    queryName?: string,
  ): Promise<pg.QueryResult<R>>;
  /** BEGIN, `fn`, COMMIT; ROLLBACK and rethrow when `fn` throws. */
  transaction<T>(fn: (client: DatabaseClient) => Promise<T>, queryName?: string): Promise<T>;
  /** Creates the schema if missing and applies its pending migrations, once across replicas. */
  migrate(): Promise<MigrationReport>;
  /** For `/health`: `down` when PostgreSQL does not answer. */
  healthCheck: HealthCheck;
  close(): Promise<void>;
}

const UNNAMED = 'unnamed';
const HEALTH_TIMEOUT_MS = 1_500;

/**
 * A service's PostgreSQL: a pool whose every connection is set at startup (not by a SET
 * afterwards, so no query can run before it) to the service's schema and statement timeout.
 * Nothing connects until the first query.
 */
export function createDatabase(options: CreateDatabaseOptions): Database {
  const schema = assertSchemaName(options.schema);
  const { logger } = options;
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const connectRetryMs = options.connectRetryMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    application_name: `helpline-${options.service}`,
    statement_timeout: statementTimeoutMs,
    options: `-c search_path=${schema},public`,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle connection the server closed (restart, failover) emits here; without a
  // listener node-postgres would crash the process. The pool drops it and opens a new one.
  pool.on('error', (error) => {
    logger.warn({ schema, reason: describeDatabaseError(error) }, 'idle PostgreSQL connection lost');
  });
  // A connection also reports errors after it left the pool's hands: a FATAL the dying server
  // sends (57P01) to a connection being destroyed for an earlier error, say. With no listener
  // that 'error' event would end the process; the pool and the callers see the failure anyway.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      logger.debug({ schema, reason: describeDatabaseError(error) }, 'PostgreSQL connection error');
    });
  });
  let closing: Promise<void> | undefined;
  const metrics = createDatabaseMetrics(options.registry, schema, pool, async () =>
    closing ? false : (await healthCheck()).status === 'ok',
  );

  async function connect(): Promise<pg.PoolClient> {
    const deadline = Date.now() + connectRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const client = await pool.connect();
        client.on('error', onCheckedOutError);
        return client;
      } catch (error) {
        const delay = Math.min(100 * 2 ** (attempt - 1), 2_000);
        if (closing || !isConnectionError(error) || Date.now() + delay > deadline) throw error;
        metrics.countConnectRetry();
        if (attempt === 1 || attempt % 10 === 0) {
          logger.warn({ schema, attempt, reason: describeDatabaseError(error) }, 'PostgreSQL unreachable, retrying');
        }
        await sleep(delay);
      }
    }
  }

  // While a connection is checked out the pool does not listen for its errors; a socket
  // broken between two statements of a transaction would otherwise be an uncaught 'error'.
  function onCheckedOutError(error: Error): void {
    logger.warn({ schema, reason: describeDatabaseError(error) }, 'PostgreSQL connection lost while in use');
  }

  function release(client: pg.PoolClient, error?: unknown): void {
    client.off('error', onCheckedOutError);
    // A connection that failed as a connection is destroyed, not handed to the next caller.
    client.release(error !== undefined && isConnectionError(error) ? (error as Error) : undefined);
  }

  /**
   * The migrating connection is closed rather than pooled. While it waited for the
   * migration lock, another replica may have created the schema, and the name lookups it
   * made before can leave it with a search path that lacks the schema: a later query on
   * it then finds no table (seen once in CI, several replicas migrating at once). A fresh
   * connection resolves the path against the schema as it now is.
   */
  function retire(client: pg.PoolClient): void {
    client.off('error', onCheckedOutError);
    client.release(true);
  }

  async function timed<T>(queryName: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      metrics.observeQuery(queryName, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      metrics.observeQuery(queryName, 'error', (performance.now() - started) / 1000);
      throw error;
    }
  }

  const clientQuery =
    (client: pg.PoolClient) =>
    <R extends pg.QueryResultRow>(sql: string, params?: readonly unknown[], queryName = UNNAMED) =>
      timed(queryName, () => client.query<R>(sql, params as unknown[] | undefined));

  const query: Database['query'] = async (sql, params, queryName = UNNAMED) => {
    const client = await connect();
    let failure: unknown;
    try {
      return await clientQuery(client)(sql, params, queryName);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      release(client, failure);
    }
  };

  const transaction: Database['transaction'] = async (fn, queryName = UNNAMED) => {
    const client = await connect();
    let failure: unknown;
    try {
      return await timed(queryName, async () => {
        await client.query('BEGIN');
        try {
          const result = await fn({ query: clientQuery(client), connection: client });
          await client.query('COMMIT');
          return result;
        } catch (error) {
          // A failed ROLLBACK means the connection itself is gone; it is then destroyed.
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            failure = rollbackError;
          });
          throw error;
        }
      });
    } catch (error) {
      failure ??= error;
      throw error;
    } finally {
      release(client, failure);
    }
  };

  const healthCheck: HealthCheck = async (): Promise<CheckResult> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pool.query('SELECT 1'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
        }),
      ]);
      return {
        status: 'ok',
        details: { schema, connections: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      };
    } catch (error) {
      return { status: 'down', message: `PostgreSQL unreachable: ${describeDatabaseError(error)}` };
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    schema,
    pool,
    query,
    transaction,
    migrate: () => migrateSchema(connect, retire, schema, options.migrationsDir, logger),
    healthCheck,
    close: () => {
      closing ??= (async () => {
        metrics.forget();
        await pool.end();
      })();
      return closing;
    },
  };
}
