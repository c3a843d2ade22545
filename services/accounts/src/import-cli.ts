import { readFileSync } from 'node:fs';
import { createDatabase, createLogger, createMetrics, loadConfigOrExit } from '@helpline/runtime';
import { z } from 'zod';
import { accountsConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './context.js';
import { IMPORT_KINDS, type ImportKind, importRecords, kindFromFileName } from './import/import-records.js';

/**
 * npm run import -w @helpline/accounts -- [customers|invoices|plans|payment-points] <file.csv|file.json>
 * The kind may be left out when the file is named after it (customers.csv). Exit 1 with one
 * line per bad row, and nothing written, when any row is bad.
 */
const args = process.argv.slice(2).filter((a) => a !== '--');
const usage = `usage: npm run import -w @helpline/accounts -- [${IMPORT_KINDS.join('|')}] <file.csv|file.json>`;
const [first, second] = args;
const explicit = (IMPORT_KINDS as readonly string[]).includes(first ?? '') ? (first as ImportKind) : undefined;
const file = explicit ? second : first;
const kind = explicit ?? (file ? kindFromFileName(file) : undefined);
if (!file || !kind) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

const config = loadConfigOrExit(
  z.object({ DATABASE_URL: accountsConfigSchema.shape.DATABASE_URL, LOG_LEVEL: z.string().default('warn') }),
);
let content: string;
try {
  content = readFileSync(file, 'utf8');
} catch (error) {
  process.stderr.write(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})\n`);
  process.exit(1);
}
const logger = createLogger({ name: 'accounts-import', level: 'warn' });
const db = createDatabase({
  url: config.DATABASE_URL,
  schema: 'accounts',
  migrationsDir: MIGRATIONS_DIR,
  service: 'accounts-import',
  logger,
  registry: createMetrics('accounts-import').registry,
});
try {
  await db.migrate();
  const report = await importRecords(db, kind, content, /\.csv$/i.test(file) ? 'csv' : 'json');
  for (const line of report.errors) process.stderr.write(`${file}: ${line}\n`);
  if (report.errors.length > 0) {
    process.stderr.write(`${file}: ${report.errors.length} bad row(s) of ${report.rows}; nothing imported\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${file}: ${report.written} ${kind} imported (added or updated)\n`);
  }
} finally {
  await db.close();
}
