import type { Logger } from 'pino';
import type { PoolClient } from 'pg';
import { type MigrationFile, readMigrationFiles } from './migration-files.js';
import { quoteSchema } from './schema-name.js';

export interface MigrationReport {
  /** Versions this call applied (empty when another replica had applied them, or none were new). */
  applied: number[];
  /** The highest version recorded after this call. */
  current: number;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Brings `schema` up to the folder's last migration. Each step is its own transaction that
 * first takes a transaction-level advisory lock named after the schema, then reads what is
 * applied: replicas starting together queue on the lock and each migration runs once. The
 * lock ends with the transaction, so a replica killed mid-migration holds nothing.
 */
export async function migrateSchema(
  connect: () => Promise<PoolClient>,
  release: (client: PoolClient, error?: unknown) => void,
  schema: string,
  migrationsDir: string,
  logger: Logger,
): Promise<MigrationReport> {
  const files = await readMigrationFiles(migrationsDir);
  const quoted = quoteSchema(schema);
  const lockKey = `helpline.migrate.${schema}`;
  const client = await connect();
  let broken: Error | undefined;
  try {
    const appliedNow: number[] = [];
    let applied = await step(client, lockKey, async () => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      return readApplied(client, quoted);
    });
    checkChecksums(files, applied, schema);

    for (const file of files) {
      if (applied.has(file.version)) continue;
      applied = await step(client, lockKey, async () => {
        const now = await readApplied(client, quoted);
        // Another replica may have applied it while this one waited for the lock.
        if (now.has(file.version)) return now;
        // A migration may take longer than the pool's statement timeout allows queries.
        await client.query('SET LOCAL statement_timeout = 0');
        await client.query(file.sql);
        await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
          file.version,
          file.name,
          file.checksum,
        ]);
        appliedNow.push(file.version);
        logger.info({ schema, version: file.version, migration: file.name }, 'database migration applied');
        return readApplied(client, quoted);
      });
      checkChecksums(files, applied, schema);
    }

    const known = [...applied.keys()];
    const current = known.length ? Math.max(...known) : 0;
    const newest = files.at(-1)?.version ?? 0;
    if (current > newest) {
      // A newer replica migrated further: forward-only migrations keep older code working.
      logger.info({ schema, current, newest }, 'database schema is newer than this version of the service');
    }
    return { applied: appliedNow, current };
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // A client whose transaction failed half-way is discarded rather than reused.
    release(client, broken);
  }
}

async function step<T>(client: PoolClient, lockKey: string, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function readApplied(client: PoolClient, quoted: string): Promise<Map<number, AppliedRow>> {
  const { rows } = await client.query<AppliedRow>(`SELECT version, name, checksum FROM ${quoted}.schema_migrations`);
  return new Map(rows.map((row) => [Number(row.version), row]));
}

function checkChecksums(files: MigrationFile[], applied: Map<number, AppliedRow>, schema: string): void {
  for (const file of files) {
    const row = applied.get(file.version);
    if (row && row.checksum !== file.checksum) {
      throw new Error(
        `migration ${String(file.version).padStart(4, '0')}_${file.name} of schema ${schema} was changed after it was applied; ` +
          'migrations are forward-only: add a new file instead',
      );
    }
  }
}
