import { join } from 'node:path';
import { startEmbeddedPostgres } from '@helpline/embedded-postgres';
import pg from 'pg';

export interface ResolvedDatabase {
  url: string;
  /** Where the database came from, for the start's one line. */
  source: 'DATABASE_URL' | 'default address' | 'embedded PGlite';
  /** Stops the embedded server this start launched; nothing for the others. */
  stop(): Promise<void>;
}

export const DEFAULT_DATABASE = { host: '127.0.0.1', port: 5432, database: 'helpline' };

/** `postgres://user:secret@host/db` as `postgres://user:***@host/db`: the start prints it. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * PostgreSQL for a one-command start, in this order: DATABASE_URL when set; else a server at
 * the default address (as the OS user, then as `postgres`), with its `helpline` database
 * made if missing; else PGlite with its files under `<dataDir>/pglite`, served on a free
 * local port over the wire protocol (see packages/embedded-postgres).
 */
export async function resolveDatabase(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  address: { host: string; port: number; database: string } = DEFAULT_DATABASE,
): Promise<ResolvedDatabase> {
  const nothing = async () => {};
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'DATABASE_URL', stop: nothing };

  for (const user of [undefined, 'postgres']) {
    const server = `postgres://${user ? `${user}@` : ''}${address.host}:${address.port}`;
    if (await ensureDatabase(`${server}/postgres`, address.database)) {
      return { url: `${server}/${address.database}`, source: 'default address', stop: nothing };
    }
  }

  const embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pglite') });
  return { url: embedded.url, source: 'embedded PGlite', stop: () => embedded.stop() };
}

/** Connects to the maintenance database and creates `database` if missing; false if it cannot. */
async function ensureDatabase(maintenanceUrl: string, database: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: maintenanceUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      // The name is ours (a constant), never input: quoted as an identifier all the same.
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        // Another start made it a moment ago.
        if (error.code !== '42P04') throw error;
      });
    }
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
