import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  baseConfigShape,
  envBoolean,
  envEnum,
  envInt,
  envList,
  envNumber,
  envPort,
  envRequired,
  envUrl,
  loadConfig,
} from '@helpline/runtime';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';

const schema = z.object({
  ...baseConfigShape,
  GATEWAY_PORT: envPort(3001),
  BAILEYS_ENABLED: envBoolean(false),
  WHATSAPP_GROUP_IDS: envList(),
  CLASSIFIER_TIMEOUT_MS: envInt(8000, { min: 100, max: 120_000 }),
  MODEL_TEMPERATURE: envNumber(0, { min: 0, max: 2 }),
  CRM_PROVIDER: envEnum(['zoho', 'local'] as const, 'local'),
  GRAPH_API_URL: envUrl(['http', 'https'], 'https://graph.facebook.com').default('https://graph.facebook.com'),
  META_APP_SECRET: envRequired('the Meta app secret'),
});

const valid = { META_APP_SECRET: 's3cret-value' };

function linesFor(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(schema, { env: { ...valid, ...env }, envFile: false });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).lines;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('applies defaults and types the values', () => {
    const config = loadConfig(schema, {
      env: { ...valid, BAILEYS_ENABLED: 'yes', WHATSAPP_GROUP_IDS: ' a@g.us, ,b@g.us ' },
      envFile: false,
    });
    expect(config.GATEWAY_PORT).toBe(3001);
    expect(config.BAILEYS_ENABLED).toBe(true);
    expect(config.WHATSAPP_GROUP_IDS).toEqual(['a@g.us', 'b@g.us']);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.CRM_PROVIDER).toBe('local');
    expect(config.API_TOKEN).toBeUndefined();
  });

  test('an empty variable counts as unset', () => {
    const config = loadConfig(schema, { env: { ...valid, GATEWAY_PORT: '', CRM_PROVIDER: '  ' }, envFile: false });
    expect(config.GATEWAY_PORT).toBe(3001);
    expect(config.CRM_PROVIDER).toBe('local');
  });

  test.each([
    ['missing required', { META_APP_SECRET: '' }, 'META_APP_SECRET: is required'],
    ['not a number', { GATEWAY_PORT: 'abc' }, 'GATEWAY_PORT: expected a whole number (got "abc")'],
    [
      'port out of range',
      { GATEWAY_PORT: '70000' },
      'GATEWAY_PORT: expected a whole number from 1 to 65535 (got "70000")',
    ],
    [
      'fraction for an integer',
      { CLASSIFIER_TIMEOUT_MS: '1.5' },
      'CLASSIFIER_TIMEOUT_MS: expected a whole number (got "1.5")',
    ],
    [
      'integer out of range',
      { CLASSIFIER_TIMEOUT_MS: '5' },
      'CLASSIFIER_TIMEOUT_MS: expected a whole number from 100 to 120000 (got "5")',
    ],
    [
      'not a boolean',
      { BAILEYS_ENABLED: 'maybe' },
      'BAILEYS_ENABLED: expected true or false (also 1/0, yes/no, on/off) (got "maybe")',
    ],
    ['number out of range', { MODEL_TEMPERATURE: '3' }, 'MODEL_TEMPERATURE: expected a number from 0 to 2 (got "3")'],
    [
      'not one of the choices',
      { CRM_PROVIDER: 'salesforce' },
      'CRM_PROVIDER: expected one of zoho, local (got "salesforce")',
    ],
    [
      'not a URL',
      { GRAPH_API_URL: 'graph.facebook.com' },
      'GRAPH_API_URL: expected a http or https URL such as https://graph.facebook.com (got "graph.facebook.com")',
    ],
    [
      'wrong URL scheme',
      { REDIS_URL: 'http://localhost:6379' },
      'REDIS_URL: expected a redis or rediss URL such as redis://127.0.0.1:6379 (got "http://localhost:6379")',
    ],
    [
      'bad log level',
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
  ])('%s gives one line naming the variable', (_kind, env, line) => {
    expect(linesFor(env)).toEqual([line]);
  });

  test('a secret too short is named but its value never echoed', () => {
    const lines = linesFor({ API_TOKEN: 'short-token' });
    expect(lines).toEqual(['API_TOKEN: expected at least 16 characters']);
    expect(lines.join('')).not.toContain('short-token');
  });

  test('values that may carry credentials are never echoed, whatever the variable is called', () => {
    const withPassword = linesFor({ REDIS_URL: 'http://user:hunter2@localhost:6379' });
    expect(withPassword).toEqual(['REDIS_URL: expected a redis or rediss URL such as redis://127.0.0.1:6379']);
    const json = linesFor({ CRM_PROVIDER: '[{"host":"r1","password":"hunter2"}]' });
    expect(json).toEqual(['CRM_PROVIDER: expected one of zoho, local']);
  });

  test('several bad variables give one line each', () => {
    const lines = linesFor({ GATEWAY_PORT: 'x', BAILEYS_ENABLED: 'x', META_APP_SECRET: '' });
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['BAILEYS_ENABLED', 'GATEWAY_PORT', 'META_APP_SECRET']);
  });

  test('reads .env beneath the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nMETA_APP_SECRET=from-file\nGATEWAY_PORT=4000\nCRM_PROVIDER="zoho"\n');
    const config = loadConfig(schema, { env: { GATEWAY_PORT: '5000' }, envFile: file });
    expect(config.META_APP_SECRET).toBe('from-file');
    expect(config.GATEWAY_PORT).toBe(5000);
    expect(config.CRM_PROVIDER).toBe('zoho');
  });

  test('a missing .env file is not an error', () => {
    const config = loadConfig(schema, { env: valid, envFile: '/nonexistent/.env' });
    expect(config.META_APP_SECRET).toBe('s3cret-value');
  });
});
