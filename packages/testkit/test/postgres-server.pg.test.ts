import { startTestPostgres, type TestPostgres } from '@helpline/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startTestPostgres', () => {
  test('gives each test a fresh, empty database of its own, dropped by stop() on a shared server', async () => {
    const server = await startTestPostgres();
    const a = await server.createDatabase('Kit Test!');
    const b = await server.createDatabase('Kit Test!');
    expect(a).not.toBe(b);
    expect(new URL(a).pathname).toMatch(/^\/kit_test_[0-9a-f]{12}$/);
    await query(a, 'CREATE TABLE only_in_a (v int)');
    const inB = await query(b, "SELECT 1 FROM information_schema.tables WHERE table_name = 'only_in_a'");
    expect(inB).toEqual([]);
    const name = new URL(a).pathname.slice(1);
    await server.stop();
    if (!server.owned) {
      const left = await query(server.url, `SELECT 1 FROM pg_database WHERE datname = '${name}'`);
      expect(left).toEqual([]);
    }
  });

  test('DATABASE_URL names a shared server: used as given, never killed or restarted by a test', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://helpline@127.0.0.1:6543/postgres';
    try {
      const server = await startTestPostgres();
      expect(server).toMatchObject({ url: 'postgres://helpline@127.0.0.1:6543/postgres', port: 6543, owned: false });
      await expect(server.kill()).rejects.toThrow(/shared/);
      await expect(server.restart()).rejects.toThrow(/shared/);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
});

describe('startTestPostgres({ spawn: true })', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres({ spawn: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('a private server on its own port keeps committed data through a SIGKILL and a restart', async () => {
    expect(server.owned).toBe(true);
    expect(server.port).not.toBe(5432);
    const url = await server.createDatabase('crash');
    await query(url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed')");
    await server.kill();
    await expect(query(url, 'SELECT 1')).rejects.toThrow();
    await server.restart();
    expect(await query(url, 'SELECT v FROM kept')).toEqual([{ v: 'committed' }]);
  });
});
