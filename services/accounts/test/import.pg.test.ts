import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDatabase, createMetrics, type Database } from '@helpline/runtime';
import { startTestPostgres, type TestPostgres } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS_DIR } from '../src/context.js';
import { importRecords, kindFromFileName } from '../src/import/import-records.js';
import { CUSTOMERS_CSV, INVOICES_JSON, PLANS_CSV, POINTS_CSV } from './support/seed.js';
import { quietLogger } from './support/logger.js';

let postgres: TestPostgres;
let url: string;
let db: Database;

beforeAll(async () => {
  postgres = await startTestPostgres();
  url = await postgres.createDatabase('accounts_import');
  db = createDatabase({
    url,
    schema: 'accounts',
    migrationsDir: MIGRATIONS_DIR,
    service: 'accounts-test',
    logger: quietLogger(),
    registry: createMetrics('accounts-import-test').registry,
  });
  await db.migrate();
}, 60_000);
afterAll(async () => {
  await db?.close();
  await postgres?.stop();
});

const count = async (table: string) => Number((await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n);

describe('npm run import', () => {
  test('loads each kind, CSV or JSON; the same file again changes nothing', async () => {
    expect((await importRecords(db, 'plans', PLANS_CSV, 'csv')).written).toBe(3);
    expect((await importRecords(db, 'customers', CUSTOMERS_CSV, 'csv')).written).toBe(4);
    expect((await importRecords(db, 'invoices', INVOICES_JSON, 'json')).written).toBe(5);
    expect((await importRecords(db, 'payment-points', POINTS_CSV, 'csv')).written).toBe(5);
    const before = (await db.query('SELECT * FROM customers ORDER BY customer_id')).rows.map(
      ({ updated_at, ...r }) => r,
    );
    const again = await importRecords(db, 'customers', CUSTOMERS_CSV, 'csv');
    expect(again.errors).toEqual([]);
    expect(await count('customers')).toBe(4);
    const after = (await db.query('SELECT * FROM customers ORDER BY customer_id')).rows.map(
      ({ updated_at, ...r }) => r,
    );
    expect(after).toEqual(before);
    const ana = (
      await db.query(
        "SELECT document_key, phone_keys, cutoff_date IS NOT NULL AS cut FROM customers WHERE customer_id = 'C-100'",
      )
    ).rows[0];
    expect(ana).toEqual({ document_key: '1020304050', phone_keys: ['3001112233'], cut: true });
    const invoice = (await db.query("SELECT total_minor::text FROM invoices WHERE invoice_id = 'F-5'")).rows[0];
    expect(invoice).toEqual({ total_minor: '4550050' });
  });

  test('one line per bad row naming the row and the field; nothing written from a file with a bad row', async () => {
    const csv = `invoice_id,customer_id,total,state,due_on
OK-1,C-100,1000,pending,2026-01-31
BAD-1,C-100,,pending,2026-01-31
BAD 2,C-100,10,pending,2026-01-31
BAD-3,C-100,12.5.0,paid,31/01/2026
BAD-4,C-100,10,overdue,
`;
    const report = await importRecords(db, 'invoices', csv, 'csv');
    expect(report.errors).toEqual([
      'row 2: total: is required',
      'row 3: invoice_id: letters, digits, _ and - only (at most 64)',
      'row 4: due_on: expected a date as YYYY-MM-DD; total: expected an amount such as 85000 or 85000.00 (a dot for decimals)',
      expect.stringMatching(/^row 5: state: /),
    ]);
    expect(report.written).toBe(0);
    expect((await db.query("SELECT 1 FROM invoices WHERE invoice_id = 'OK-1'")).rowCount).toBe(0);
    const customers = await importRecords(
      db,
      'customers',
      'customer_id,document_number,phones\nX-1,CC12A,300\n',
      'csv',
    );
    expect(customers.errors).toEqual([
      'row 1: document_number: expected digits (dots, spaces and dashes allowed); phones: each phone needs at least 7 digits',
    ]);
    expect((await importRecords(db, 'plans', '{"a":1}', 'json')).errors).toEqual(['file: expected a JSON array']);
  });

  test('the kind from the file name', () => {
    expect(kindFromFileName('/data/customers.csv')).toBe('customers');
    expect(kindFromFileName('payment_points.json')).toBe('payment-points');
    expect(kindFromFileName('invoices-2026-06.csv')).toBe('invoices');
    expect(kindFromFileName('clientes.csv')).toBeUndefined();
  });

  test('the command: exit 1 and the bad rows on stderr, exit 0 and a count when the file is good', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accounts-import-'));
    const good = join(dir, 'plans.csv');
    writeFileSync(good, PLANS_CSV);
    const bad = join(dir, 'customers.csv');
    writeFileSync(bad, 'customer_id,status\nX-9,gone\n');
    const run = promisify(execFile);
    const cli = join(import.meta.dirname, '..', 'src', 'import-cli.ts');
    const env = { ...process.env, DATABASE_URL: url };
    const args = ['--conditions=@helpline/source', '--import', 'tsx', cli];
    const ok = await run(process.execPath, [...args, good], { env });
    expect(ok.stdout).toContain('3 plans imported');
    const failed = await run(process.execPath, [...args, 'customers', bad], { env }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${bad}: row 1: status:`);
    expect(failed.stderr).toContain('nothing imported');
  }, 60_000);
});
