import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@helpline/embedded-postgres';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const fixture = join(import.meta.dirname, 'fixtures', 'pool-client.mjs');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function embedded(dataDir?: string): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres(dataDir ? { dataDir } : {});
  cleanups.push(() => server.stop());
  return server;
}
function pool(url: string, schema: string, max = 4): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max, options: `-c search_path=${schema}`, statement_timeout: 5_000 });
  cleanups.push(() => p.end());
  return p;
}

// PGlite compiles its WebAssembly at each start: 5 s idle, 30 s on a loaded machine.
const PGLITE = { timeout: 120_000 };

describe('pglite-socket as shipped', PGLITE, () => {
  test('ignores the startup settings: every connection shares one search_path (why the multiplexer exists)', async () => {
    const db = await PGlite.create();
    const server = new PGLiteSocketServer({ db, port: 0, maxConnections: 10 });
    await server.start();
    cleanups.push(async () => {
      await server.stop();
      await db.close();
    });
    const port = (server as unknown as { port: number }).port;
    const p = pool(`postgres://postgres@127.0.0.1:${port}/postgres`, 'tickets');
    const { rows } = await p.query('SHOW search_path');
    expect(rows[0].search_path).not.toContain('tickets');
  });
});

describe('embedded PostgreSQL (PGlite behind the session multiplexer)', PGLITE, () => {
  test('several processes, each with a pool of 4 on its own schema, at once: nothing lost, mixed or misread', async () => {
    const server = await embedded();
    const admin = pool(server.url, 'public', 1);
    const schemas = ['tickets', 'desk', 'accounts'];
    for (const s of schemas) {
      await admin.query(
        `CREATE SCHEMA ${s}; CREATE TABLE ${s}.items (id serial PRIMARY KEY, label text NOT NULL, parent int REFERENCES ${s}.items(id))`,
      );
    }
    const rounds = 40;
    const results = await Promise.all(
      schemas.map(async (s) =>
        JSON.parse((await run(process.execPath, [fixture, server.url, s, String(rounds)])).stdout),
      ),
    );
    expect(results).toEqual(schemas.map(() => ({ wrong: 0, rounds })));
    for (const s of schemas) {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n, count(parent)::int AS children,
                count(*) FILTER (WHERE label NOT LIKE '${s}-%')::int AS foreign
           FROM ${s}.items`,
      );
      expect(rows[0]).toEqual({ n: rounds * 2, children: rounds, foreign: 0 });
    }
  });

  test('a transaction holds the session: another connection waits, then sees only committed rows', async () => {
    const server = await embedded();
    const a = pool(server.url, 'public');
    await a.query('CREATE TABLE t (v int)');
    const tx = await a.connect();
    await tx.query('BEGIN');
    await tx.query('INSERT INTO t VALUES (1)');
    const b = pool(server.url, 'public');
    let seen: number | undefined;
    const read = b.query('SELECT count(*)::int AS n FROM t').then((r) => {
      seen = r.rows[0].n;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toBeUndefined();
    await tx.query('ROLLBACK');
    tx.release();
    await read;
    expect(seen).toBe(0);
  });

  test('a connection that vanishes inside a transaction is rolled back and frees the session', async () => {
    const server = await embedded();
    const a = pool(server.url, 'public');
    await a.query('CREATE TABLE t (v int)');
    const tx = await a.connect();
    await tx.query('BEGIN');
    await tx.query('INSERT INTO t VALUES (1)');
    // Destroy the socket as a killed process would.
    tx.release(new Error('gone'));
    const b = pool(server.url, 'public');
    const { rows } = await b.query('SELECT count(*)::int AS n FROM t');
    expect(rows[0].n).toBe(0);
    await b.query('INSERT INTO t VALUES (2)');
    expect((await b.query('SELECT v FROM t')).rows).toEqual([{ v: 2 }]);
  });

  test('an error inside an extended-protocol exchange leaves the session usable for others', async () => {
    const server = await embedded();
    const a = pool(server.url, 'public');
    const b = pool(server.url, 'public');
    await expect(a.query('SELECT $1::int', ['not a number'])).rejects.toThrow(/invalid input syntax/);
    await expect(b.query('SELECT $1::int AS n', [7])).resolves.toMatchObject({ rows: [{ n: 7 }] });
  });

  test('data under the data folder survives a stop and a new start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helpline-pglite-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await startEmbeddedPostgres({ dataDir: dir });
    const p1 = new pg.Pool({ connectionString: first.url, max: 1 });
    await p1.query('CREATE TABLE kept (v text)');
    await p1.query("INSERT INTO kept VALUES ('still here')");
    await p1.end();
    await first.stop();
    const second = await embedded(dir);
    const p2 = pool(second.url, 'public', 1);
    expect((await p2.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
  });
});
