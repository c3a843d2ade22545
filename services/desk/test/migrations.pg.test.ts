import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, createLogger, createMetrics } from '@helpline/runtime';
import { startTestPostgres, type TestPostgres } from '@helpline/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MIGRATIONS_DIR } from '../src/context.js';

// The desk's migrations from an empty schema, and from the previous version with data in it.

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const open = (url: string, migrationsDir: string) =>
  createDatabase({
    url,
    schema: 'desk',
    migrationsDir,
    service: 'desk-migrations-test',
    logger: createLogger({ name: 'migrations-test', level: 'silent' }),
    registry: createMetrics('desk').registry,
  });

test('from empty: every migration applies, and a second start applies none', async () => {
  const db = open(await postgres.createDatabase('desk_mig_empty'), MIGRATIONS_DIR);
  expect(await db.migrate()).toEqual({ applied: [1, 2, 3, 4], current: 4 });
  expect(await db.migrate()).toEqual({ applied: [], current: 4 });
  await db.close();
});

test('from an older version: the archive is kept and the new migrations apply over it', async () => {
  const url = await postgres.createDatabase('desk_mig_prev');
  const previous = mkdtempSync(join(tmpdir(), 'desk-migrations-'));
  copyFileSync(join(MIGRATIONS_DIR, '0001_archive.sql'), join(previous, '0001_archive.sql'));
  const old = open(url, previous);
  expect(await old.migrate()).toEqual({ applied: [1], current: 1 });
  await old.query(`INSERT INTO chats (channel, chat_id, conversation_started_at) VALUES ('cloud', '57300', now())`);
  await old.query(
    `INSERT INTO messages (message_id, chat_ref, conversation, direction, kind, body, purpose, at, search_text)
     SELECT 'wamid.t-ticket', id, 1, 'outbound', 'text', 'Caso #1', 'ticket', now(), 'caso #1' FROM chats`,
  );
  await old.close();

  const current = open(url, MIGRATIONS_DIR);
  expect(await current.migrate()).toEqual({ applied: [2, 3, 4], current: 4 });
  const rows = await current.query<{ n: string }>(`SELECT count(*)::text AS n FROM messages WHERE purpose = 'ticket'`);
  expect(rows.rows[0]?.n).toBe('1');
  const index = await current.query(
    `SELECT 1 FROM pg_indexes WHERE schemaname = 'desk' AND indexname = 'messages_ticket_notices'`,
  );
  expect(index.rowCount).toBe(1);
  await current.close();
});

test('from the previous release (0001, 0002): the erasure requests and tickets tables are added', async () => {
  const url = await postgres.createDatabase('desk_mig_release');
  const previous = mkdtempSync(join(tmpdir(), 'desk-migrations-'));
  for (const file of ['0001_archive.sql', '0002_ticket_index.sql']) {
    copyFileSync(join(MIGRATIONS_DIR, file), join(previous, file));
  }
  const old = open(url, previous);
  expect(await old.migrate()).toEqual({ applied: [1, 2], current: 2 });
  await old.query(`INSERT INTO chats (channel, chat_id, conversation_started_at) VALUES ('cloud', '57300', now())`);
  await old.close();

  const current = open(url, MIGRATIONS_DIR);
  expect(await current.migrate()).toEqual({ applied: [3, 4], current: 4 });
  expect((await current.query<{ n: string }>(`SELECT count(*)::text AS n FROM chats`)).rows[0]?.n).toBe('1');
  const tables = await current.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'desk' AND tablename IN ('erasure_requests', 'tickets') ORDER BY 1`,
  );
  expect(tables.rows.map((r) => r.tablename)).toEqual(['erasure_requests', 'tickets']);
  await current.close();
});
