import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPostgres, type TestPostgres } from '@helpline/testkit';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { redactDatabaseUrl, resolveDatabase } from '../src/database-resolver.js';
import { freePort } from './support/system-under-test.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function answer(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  } finally {
    await client.end();
  }
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helpline-start-db-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// PGlite (the last case) compiles its WebAssembly at start: up to 30 s on a loaded machine.
describe('the database npm start gives the services', { timeout: 120_000 }, () => {
  let server: TestPostgres;
  beforeAll(async () => {
    // A server of its own: the test makes a `helpline`-like database on it.
    server = await startTestPostgres({ spawn: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('DATABASE_URL when set, untouched', async () => {
    const url = 'postgres://helpline:secret@db.example:5432/helpline';
    const resolved = await resolveDatabase({ DATABASE_URL: url }, await dataDir());
    expect(resolved).toMatchObject({ url, source: 'DATABASE_URL' });
  });

  test('else the server at the default address, with its database made when missing', async () => {
    const address = { host: '127.0.0.1', port: server.port, database: 'helpline_start' };
    const first = await resolveDatabase({}, await dataDir(), address);
    expect(first.source).toBe('default address');
    expect(await answer(first.url)).toBe('helpline_start');
    // A second start finds it.
    const second = await resolveDatabase({}, await dataDir(), address);
    expect(second.url).toBe(first.url);
  });

  test('else embedded PGlite with its files under the data folder', async () => {
    const dir = await dataDir();
    const nothingThere = { host: '127.0.0.1', port: await freePort(), database: 'helpline' };
    const resolved = await resolveDatabase({}, dir, nothingThere);
    cleanups.push(() => resolved.stop());
    expect(resolved.source).toBe('embedded PGlite');
    expect(await answer(resolved.url)).toBe('postgres');
    expect((await readdir(join(dir, 'pglite'))).length).toBeGreaterThan(0);
  });

  test('the printed URL never shows a password', () => {
    expect(redactDatabaseUrl('postgres://helpline:s3cret@db:5432/helpline')).toBe(
      'postgres://helpline:***@db:5432/helpline',
    );
    expect(redactDatabaseUrl('postgres://127.0.0.1:5432/helpline')).toBe('postgres://127.0.0.1:5432/helpline');
  });
});
