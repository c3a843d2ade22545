import { ConfigError, loadConfig } from '@helpline/runtime';
import { describe, expect, test } from 'vitest';
import { resolveCrmSettings, ticketsConfigSchema } from '../src/config.js';
import { retriesWithin, retryDelay, retryPolicyFor } from '../src/queue/retry-policy.js';

const load = (env: Record<string, string>) => loadConfig(ticketsConfigSchema, { env, envFile: false });

const ZOHO = {
  ZOHO_CLIENT_ID: '1000.ID',
  ZOHO_CLIENT_SECRET: 'secret-value',
  ZOHO_REFRESH_TOKEN: '1000.refresh',
  ZOHO_ORG_ID: '6000',
  ZOHO_DEPARTMENT_ID: '7000',
};

const DATABASE_URL = 'postgres://helpline:secret@127.0.0.1:5432/helpline';

describe('config', () => {
  test('defaults: port 8003, local store, a 6 h retry horizon, Zoho US data centre', () => {
    const config = load({ DATABASE_URL });
    expect(config).toMatchObject({
      TICKETS_PORT: 8003,
      TICKETS_RETRY_HORIZON_HOURS: 6,
      ZOHO_ACCOUNTS_URL: 'https://accounts.zoho.com',
      ZOHO_DESK_URL: 'https://desk.zoho.com',
      ZOHO_IDEMPOTENCY_FIELD: 'cf_idempotency_key',
      LOCAL_TICKET_STATUSES: ['Open', 'In Progress', 'On Hold', 'Closed'],
    });
    expect(resolveCrmSettings(config)).toMatchObject({
      provider: 'local',
      notice: expect.stringContaining('not configured'),
    });
  });

  test('every Zoho variable set means Zoho, with URLs of the data centre given', () => {
    const settings = resolveCrmSettings(
      load({ ...ZOHO, ZOHO_ACCOUNTS_URL: 'https://accounts.zoho.eu/', ZOHO_DESK_URL: 'https://desk.zoho.eu' }),
    );
    expect(settings).toEqual({
      provider: 'zoho',
      zoho: {
        clientId: '1000.ID',
        clientSecret: 'secret-value',
        refreshToken: '1000.refresh',
        orgId: '6000',
        departmentId: '7000',
        accountsUrl: 'https://accounts.zoho.eu',
        deskUrl: 'https://desk.zoho.eu',
        idempotencyField: 'cf_idempotency_key',
      },
    });
  });

  test('half-configured Zoho runs local and names what is missing; CRM_PROVIDER=local wins quietly', () => {
    const { ZOHO_ORG_ID: _org, ...partial } = ZOHO;
    expect(resolveCrmSettings(load({ ...partial, DATABASE_URL }))).toEqual({
      provider: 'local',
      notice: 'Zoho Desk half configured (missing ZOHO_ORG_ID): tickets are kept in the local store',
    });
    expect(resolveCrmSettings(load({ ...ZOHO, CRM_PROVIDER: 'local', DATABASE_URL }))).toEqual({ provider: 'local' });
  });

  test('the local store needs DATABASE_URL, a postgres URL; Zoho does not', () => {
    for (const env of [{}, { CRM_PROVIDER: 'local', ...ZOHO }]) {
      expect(() => load(env)).toThrow(ConfigError);
      try {
        load(env);
      } catch (error) {
        expect((error as ConfigError).lines).toEqual([
          'DATABASE_URL: is required for the local ticket store (CRM_PROVIDER=local, or Zoho not configured)',
        ]);
      }
    }
    expect(() => load({ DATABASE_URL: 'mysql://127.0.0.1/helpline' })).toThrow(/DATABASE_URL/);
    expect(load(ZOHO).DATABASE_URL).toBeUndefined();
  });

  test('CRM_PROVIDER=zoho without its variables stops the start, naming each one and no secret', () => {
    try {
      load({ CRM_PROVIDER: 'zoho', ZOHO_CLIENT_SECRET: 'super-secret' });
      expect.unreachable('the config should have been refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as ConfigError).lines;
      expect(lines).toEqual([
        'ZOHO_CLIENT_ID: is required when CRM_PROVIDER=zoho',
        'ZOHO_REFRESH_TOKEN: is required when CRM_PROVIDER=zoho',
        'ZOHO_ORG_ID: is required when CRM_PROVIDER=zoho',
        'ZOHO_DEPARTMENT_ID: is required when CRM_PROVIDER=zoho',
      ]);
      expect(lines.join('\n')).not.toContain('super-secret');
    }
  });

  test('bad values are refused with the variable named', () => {
    expect(() => load({ CRM_PROVIDER: 'salesforce' })).toThrow(/CRM_PROVIDER: expected zoho or local/);
    expect(() => load({ ZOHO_IDEMPOTENCY_FIELD: 'idempotency' })).toThrow(
      /ZOHO_IDEMPOTENCY_FIELD: expected the API name of a ticket custom field/,
    );
    expect(() => load({ TICKETS_RETRY_HORIZON_HOURS: 'forever' })).toThrow(
      /TICKETS_RETRY_HORIZON_HOURS: expected a number/,
    );
    expect(() => load({ ZOHO_DESK_URL: 'desk.zoho.com' })).toThrow(/ZOHO_DESK_URL/);
    expect(() => load({ TICKETS_PORT: '70000' })).toThrow(/TICKETS_PORT/);
  });
});

describe('retry policy', () => {
  test('the default 6 h horizon is covered by capped exponential delays (5 s doubling to 10 min)', () => {
    const policy = retryPolicyFor(6);
    expect(policy).toEqual({ horizonMs: 6 * 3600_000, baseDelayMs: 5_000, maxDelayMs: 600_000, jitter: 0.3 });
    // 5+10+...+320 s (7 retries, 635 s), then 10 min each: 6 h needs 42 retries at the longest delays.
    expect(retriesWithin(policy)).toBe(42);
  });

  test('delays double, stop at the cap, lose at most the jitter share, and respect a Retry-After hint', () => {
    const policy = retryPolicyFor(6);
    expect(retryDelay(policy, 1, () => 0)).toBe(5_000);
    expect(retryDelay(policy, 3, () => 0)).toBe(20_000);
    expect(retryDelay(policy, 20, () => 0)).toBe(600_000);
    expect(retryDelay(policy, 1, () => 1)).toBe(3_500);
    expect(retryDelay(policy, 1, () => 0, 60_000)).toBe(60_000);
    // A hint is capped too: a CRM asking for a day still gets retried within the cap.
    expect(retryDelay(policy, 1, () => 0, 86_400_000)).toBe(600_000);
  });
});
