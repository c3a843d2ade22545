import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@helpline/embedded-postgres';
import { createDatabase, createMetrics, type Database } from '@helpline/runtime';
import { startTestPostgres, type TestPostgres } from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { memoryLogger, metricValue } from './support/index.js';

let server: TestPostgres;
const open: Database[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
});
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await server?.stop();
});

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helpline-migrations-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

function open_(url: string, dir: string, extra: Partial<Parameters<typeof createDatabase>[0]> = {}): Database {
  const db = createDatabase({
    url,
    schema: 'things',
    migrationsDir: dir,
    service: 'test',
    logger: memoryLogger().logger,
    registry: createMetrics('test').registry,
    poolMax: 3,
    ...extra,
  });
  open.push(db);
  return db;
}

const FIRST = {
  '0001_things.sql': 'CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL);',
};
const SECOND = {
  ...FIRST,
  '0002_thing_colour.sql':
    "ALTER TABLE things ADD COLUMN colour text NOT NULL DEFAULT 'blue';\nINSERT INTO things (name) VALUES ('added by 0002');",
};

describe('migrations', () => {
  test('from an empty database: the schema is made, the files applied and recorded with checksums', async () => {
    const url = await server.createDatabase('migrate_empty');
    const db = open_(url, await migrationsDir(SECOND));
    expect(await db.migrate()).toEqual({ applied: [1, 2], current: 2 });
    // Unqualified names resolve in the service's schema.
    await db.query('INSERT INTO things (name) VALUES ($1)', ['router']);
    const { rows } = await db.query<{ name: string; colour: string }>(
      'SELECT name, colour FROM things.things ORDER BY id',
    );
    expect(rows).toEqual([
      { name: 'added by 0002', colour: 'blue' },
      { name: 'router', colour: 'blue' },
    ]);
    const recorded = await db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM things.schema_migrations ORDER BY version',
    );
    expect(recorded.rows.map((r) => [r.version, r.name])).toEqual([
      [1, 'things'],
      [2, 'thing_colour'],
    ]);
    expect(recorded.rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    // Nothing leaked into public.
    const inPublic = await db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'");
    expect(inPublic.rowCount).toBe(0);
    // A second run applies nothing.
    expect(await db.migrate()).toEqual({ applied: [], current: 2 });
  });

  test('from the previous version: only the new file runs, and the data is kept', async () => {
    const url = await server.createDatabase('migrate_previous');
    const v1 = open_(url, await migrationsDir(FIRST));
    expect(await v1.migrate()).toEqual({ applied: [1], current: 1 });
    await v1.query("INSERT INTO things (name) VALUES ('kept')");
    const v2 = open_(url, await migrationsDir(SECOND));
    expect(await v2.migrate()).toEqual({ applied: [2], current: 2 });
    const { rows } = await v2.query<{ name: string; colour: string }>('SELECT name, colour FROM things ORDER BY id');
    expect(rows).toEqual([
      { name: 'kept', colour: 'blue' },
      { name: 'added by 0002', colour: 'blue' },
    ]);
    // The old version starting again (a rolling deploy) accepts the newer schema.
    expect(await v1.migrate()).toEqual({ applied: [], current: 2 });
  });

  test('a file changed after it was applied is refused', async () => {
    const url = await server.createDatabase('migrate_changed');
    await open_(url, await migrationsDir(FIRST)).migrate();
    const edited = open_(url, await migrationsDir({ '0001_things.sql': 'CREATE TABLE things (id int);' }));
    await expect(edited.migrate()).rejects.toThrow(/0001_things of schema things was changed/);
  });

  test('a failing migration leaves nothing half-applied', async () => {
    const url = await server.createDatabase('migrate_failing');
    const db = open_(
      url,
      await migrationsDir({
        ...FIRST,
        '0002_broken.sql': 'ALTER TABLE things ADD COLUMN a int;\nSELECT * FROM nowhere;',
      }),
    );
    await expect(db.migrate()).rejects.toThrow(/nowhere/);
    const columns = await db.query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'things' AND table_name = 'things'",
    );
    expect(columns.rows.map((r) => r.column_name).sort()).toEqual(['id', 'name']);
    const versions = await db.query('SELECT version FROM schema_migrations');
    expect(versions.rows).toEqual([{ version: 1 }]);
  });

  test('badly named files are refused rather than skipped', async () => {
    const url = await server.createDatabase('migrate_names');
    const db = open_(url, await migrationsDir({ ...FIRST, '2_more.sql': 'SELECT 1;' }));
    await expect(db.migrate()).rejects.toThrow(/2_more.sql must be named NNNN_name.sql/);
  });

  test('several replicas migrating at once apply each file once', async () => {
    const url = await server.createDatabase('migrate_concurrent');
    const dir = await migrationsDir({
      ...SECOND,
      // Slow enough that the replicas really overlap.
      '0003_slow.sql': "SELECT pg_sleep(0.3);\nINSERT INTO things (name) VALUES ('added by 0003');",
    });
    const replicas = Array.from({ length: 5 }, () => open_(url, dir, { poolMax: 1 }));
    const reports = await Promise.all(replicas.map((db) => db.migrate()));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3]);
    expect(reports.every((r) => r.current === 3)).toBe(true);
    const { rows } = await replicas[0]!.query<{ name: string }>('SELECT name FROM things ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(['added by 0002', 'added by 0003']);
  });
});

describe('queries', () => {
  test('a statement past the timeout is cancelled by the server', async () => {
    const url = await server.createDatabase('statement_timeout');
    const db = open_(url, await migrationsDir(FIRST), { statementTimeoutMs: 200 });
    const started = Date.now();
    await expect(db.query('SELECT pg_sleep(3)')).rejects.toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(2_500);
    // The connection is still good for the next statement.
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('a transaction commits together or not at all', async () => {
    const url = await server.createDatabase('transaction');
    const db = open_(url, await migrationsDir(FIRST));
    await db.migrate();
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO things (name) VALUES ('a')");
      await tx.query("INSERT INTO things (name) VALUES ('b')");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO things (name) VALUES ('c')");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const { rows } = await db.query<{ name: string }>('SELECT name FROM things ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(['a', 'b']);
  });

  test('metrics: query time by the caller-given name, pool gauges; never SQL or parameters', async () => {
    const url = await server.createDatabase('metrics');
    const metrics = createMetrics('test');
    const db = open_(url, await migrationsDir(FIRST), { registry: metrics.registry });
    await db.migrate();
    await db.query('INSERT INTO things (name) VALUES ($1)', ['573001112233'], 'things.insert');
    await expect(db.query('SELECT * FROM nowhere', [], 'things.broken')).rejects.toThrow();
    const text = await metrics.registry.metrics();
    expect(
      metricValue(text, 'helpline_db_query_duration_seconds_count', { query: 'things.insert', outcome: 'ok' }),
    ).toBe(1);
    expect(
      metricValue(text, 'helpline_db_query_duration_seconds_count', { query: 'things.broken', outcome: 'error' }),
    ).toBe(1);
    expect(metricValue(text, 'helpline_db_pool_connections', { schema: 'things' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'helpline_db_pool_waiting_clients', { schema: 'things' })).toBe(0);
    expect(metricValue(text, 'helpline_db_up', { schema: 'things' })).toBe(1);
    expect(text).not.toContain('573001112233');
    expect(text).not.toContain('INSERT');
  });

  test('schema names that could inject SQL are refused', () => {
    expect(() => open_('postgres://127.0.0.1/x', '/nowhere', { schema: 'a"; DROP TABLE x; --' })).toThrow(
      /lower-case identifier/,
    );
  });
});

describe('outages', () => {
  let own: TestPostgres;
  beforeAll(async () => {
    own = await startTestPostgres({ spawn: true });
  });
  afterAll(async () => {
    await own?.stop();
  });

  test('health is down while the server is away, and a query waits out a restart', async () => {
    const url = await own.createDatabase('outage');
    const { logger, lines } = memoryLogger();
    const metrics = createMetrics('test');
    const db = open_(url, await migrationsDir(FIRST), { logger, connectRetryMs: 20_000, registry: metrics.registry });
    await db.migrate();
    await db.query("INSERT INTO things (name) VALUES ('before')");
    expect(await db.healthCheck()).toMatchObject({ status: 'ok' });

    await own.kill();
    const down = await db.healthCheck();
    expect(down.status).toBe('down');
    expect(down.message).toMatch(/PostgreSQL unreachable/);
    // Scraped with no traffic at all, the outage still shows.
    expect(metricValue(await metrics.registry.metrics(), 'helpline_db_up', { schema: 'things' })).toBe(0);

    // Issued while the server is away: it waits (retrying the connection) until it is back.
    const pending = db.query("INSERT INTO things (name) VALUES ('during') RETURNING id", [], 'things.insert');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await own.restart();
    await expect(pending).resolves.toMatchObject({ rowCount: 1 });
    expect(await db.healthCheck()).toMatchObject({ status: 'ok' });
    expect(metricValue(await metrics.registry.metrics(), 'helpline_db_up', { schema: 'things' })).toBe(1);
    const { rows } = await db.query<{ name: string }>('SELECT name FROM things ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(['before', 'during']);
    expect(lines.some((l) => l.msg === 'PostgreSQL unreachable, retrying')).toBe(true);
  });

  test('a server shut down under idle connections does not crash the process', async () => {
    const url = await own.createDatabase('idle_errors');
    const { logger, lines } = memoryLogger();
    const db = open_(url, await migrationsDir(FIRST), { logger });
    await db.migrate();
    // Three idle connections in the pool when the server goes away.
    await Promise.all([1, 2, 3].map(() => db.query('SELECT pg_sleep(0.05)')));
    expect(db.pool.idleCount).toBeGreaterThan(0);
    await own.restart();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines.some((l) => l.msg === 'idle PostgreSQL connection lost')).toBe(true);
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('statements in flight when the server is killed fail; no connection error escapes as uncaught', async () => {
    const url = await own.createDatabase('in_flight');
    const db = open_(url, await migrationsDir(FIRST), { poolMax: 5, connectRetryMs: 1_000 });
    await db.migrate();
    const inFlight = Array.from({ length: 12 }, (_, i) =>
      i % 2
        ? db.query('SELECT pg_sleep(1)')
        : db.transaction(async (tx) => {
            await tx.query("INSERT INTO things (name) VALUES ('in flight')");
            await tx.query('SELECT pg_sleep(1)');
          }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await own.kill();
    const settled = await Promise.allSettled(inFlight);
    // The five running ones saw the server die; the queued ones could not connect in time or did after.
    expect(settled.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(5);
    await own.restart();
    // Vitest fails the file on an uncaught 'error' event, so getting here clean is the check.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('a connection lost inside a transaction fails that transaction, not the process', async () => {
    const url = await own.createDatabase('tx_lost');
    const db = open_(url, await migrationsDir(FIRST));
    await db.migrate();
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO things (name) VALUES ('lost')");
        await own.restart();
        await tx.query("INSERT INTO things (name) VALUES ('lost too')");
      }),
    ).rejects.toThrow();
    const { rows } = await db.query('SELECT name FROM things');
    expect(rows).toEqual([]);
  });
});

describe('on PGlite (the embedded default of npm start)', () => {
  test('migrations from empty and from the previous version, two schemas side by side', async () => {
    const embedded = await startEmbeddedPostgres();
    try {
      const v1 = open_(embedded.url, await migrationsDir(FIRST));
      const other = open_(embedded.url, await migrationsDir(FIRST), { schema: 'others' });
      expect(await v1.migrate()).toEqual({ applied: [1], current: 1 });
      expect(await other.migrate()).toEqual({ applied: [1], current: 1 });
      await v1.query("INSERT INTO things (name) VALUES ('mine')");
      await other.query("INSERT INTO things (name) VALUES ('theirs')");
      const v2 = open_(embedded.url, await migrationsDir(SECOND));
      expect(await v2.migrate()).toEqual({ applied: [2], current: 2 });
      // Each pool sees its own schema through the shared PGlite session.
      const mine = await v2.query<{ name: string; colour: string }>('SELECT name, colour FROM things ORDER BY id');
      expect(mine.rows).toEqual([
        { name: 'mine', colour: 'blue' },
        { name: 'added by 0002', colour: 'blue' },
      ]);
      expect((await other.query<{ name: string }>('SELECT name FROM things')).rows).toEqual([{ name: 'theirs' }]);
    } finally {
      for (const db of open.splice(0)) await db.close();
      await embedded.stop();
    }
    // PGlite compiles its WebAssembly at each start: 5 s idle, 30 s on a loaded machine.
  }, 120_000);
});
