import { ConfigError, loadConfig } from '@helpline/runtime';
import { describe, expect, it } from 'vitest';
import { accountsConfigSchema, billingProviderOf } from '../src/config.js';

const DB = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/helpline' };
const load = (env: Record<string, string>) => loadConfig(accountsConfigSchema, { env, envFile: false });
function lines(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.lines];
    throw error;
  }
  return [];
}

describe('accounts config', () => {
  it('defaults: port 8005, the built-in store, 10 MB receipts, three tries, Bogotá', () => {
    const c = load(DB);
    expect(c.ACCOUNTS_PORT).toBe(8005);
    expect(billingProviderOf(c)).toBe('local');
    expect(c.RECEIPT_MAX_BYTES).toBe(10 * 1024 * 1024);
    expect(c.IDENTITY_MAX_TRIES).toBe(3);
    expect(c.BUSINESS_TIMEZONE).toBe('America/Bogota');
    expect(c.GATEWAY_URL).toBe('http://127.0.0.1:3001');
  });

  it('WispHub when both its variables are set, or asked for by name', () => {
    const wisphub = { ...DB, WISPHUB_API_URL: 'https://api.wisphub.net', WISPHUB_API_KEY: 'k' };
    expect(billingProviderOf(load(wisphub))).toBe('wisphub');
    expect(billingProviderOf(load({ ...wisphub, BILLING_PROVIDER: 'local' }))).toBe('local');
  });

  it('one line per problem, naming the variable', () => {
    expect(lines({})).toEqual([expect.stringMatching(/^DATABASE_URL: is required/)]);
    expect(lines({ ...DB, BILLING_PROVIDER: 'wisphub' })).toEqual([
      expect.stringMatching(/^WISPHUB_API_URL: is required when BILLING_PROVIDER=wisphub/),
    ]);
    expect(lines({ ...DB, WISPHUB_API_URL: 'https://api.wisphub.net' })).toEqual([
      expect.stringMatching(/^WISPHUB_API_KEY: is required when WISPHUB_API_URL is set/),
    ]);
    expect(lines({ ...DB, BILLING_PROVIDER: 'zoho' })[0]).toMatch(/^BILLING_PROVIDER: expected wisphub or local/);
    expect(lines({ ...DB, BUSINESS_TIMEZONE: 'Mars/Olympus' })[0]).toMatch(
      /^BUSINESS_TIMEZONE: expected an IANA time zone/,
    );
    expect(lines({ DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL: expected a postgres or postgresql URL/);
  });
});
