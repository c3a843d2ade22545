import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Runs main as the process it is in production; it must stop at its config check, before any I/O. */
function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--conditions=@helpline/source', '--import', 'tsx', main], {
    // No developer .env is read: the working directory is the test folder (tsx resolves from it).
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { PATH: process.env.PATH ?? '', REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'info', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('main: a bad CUSTOMERS_FILE stops the start with the one-line config error', () => {
  it('a missing file', () => {
    const r = runMain({ CUSTOMERS_FILE: '/no/such/customers.csv' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('CUSTOMERS_FILE: file not found (got "/no/such/customers.csv")\n');
  });

  it('a file that is not JSON: no stack trace, no customer data', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'network-main-')), 'customers.json');
    writeFileSync(path, '[{"customerId": "1", "phones": ["3001234567"], "serviceIp": "100.64.0.10"');
    const r = runMain({ CUSTOMERS_FILE: path });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `CUSTOMERS_FILE: is not valid JSON (expected a JSON array of customers, or a .csv file) (got "${path}")`,
    ]);
    expect(r.stderr).not.toMatch(/\bat |3001234567|100\.64/);
  });
});
