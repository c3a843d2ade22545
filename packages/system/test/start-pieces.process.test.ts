import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readEnvironment } from '@helpline/runtime';
import { readLocalSettings, recordLocalStart } from '../src/local-settings.js';
import { formatLogLine } from '../src/log-line.js';
import { answersPing, REDIS_MISSING, resolveRedis } from '../src/redis-resolver.js';
import { planStart, servicePorts, usesLocalChat } from '../src/start-plan.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('finding Redis for a one-command start', () => {
  test('REDIS_URL wins when set', async () => {
    const redis = await resolveRedis({ REDIS_URL: 'redis://example:6380' }, tmpdir(), { host: '127.0.0.1', port: 1 });
    expect(redis).toMatchObject({ url: 'redis://example:6380', source: 'REDIS_URL' });
  });

  test('with nothing at the address, redis-server from PATH is started with its data under the data folder, and stopped', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-start-'));
    const redis = await resolveRedis({}, dataDir, { host: '127.0.0.1', port });
    try {
      expect(redis).toMatchObject({ url: `redis://127.0.0.1:${port}`, source: 'started redis-server' });
      expect(await answersPing('127.0.0.1', port)).toBe(true);
      expect(statSync(join(dataDir, 'redis')).isDirectory()).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(await answersPing('127.0.0.1', port)).toBe(false);
  });

  test('something answering at the address is used as it is', async () => {
    const port = await freePort();
    const first = await resolveRedis({}, mkdtempSync(join(tmpdir(), 'helpline-start-')), { host: '127.0.0.1', port });
    try {
      const second = await resolveRedis({}, tmpdir(), { host: '127.0.0.1', port });
      expect(second.source).toBe('default address');
      await second.stop();
      expect(await answersPing('127.0.0.1', port)).toBe(true);
    } finally {
      await first.stop();
    }
  });

  test('with no Redis anywhere the error says what to install or set', async () => {
    const port = await freePort();
    const error = await resolveRedis({ REDIS_SERVER_BIN: '/nonexistent/redis-server' }, tmpdir(), {
      host: '127.0.0.1',
      port,
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe(REDIS_MISSING);
    expect(REDIS_MISSING).toContain('REDIS_URL');
    expect(REDIS_MISSING).toContain('apt-get install redis-server');
  });
});

describe('local settings', () => {
  test('are created once with secrets of their own, readable by the owner only, and reused', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-local-'));
    const first = recordLocalStart(dataDir, { gatewayPort: 3001, chat: true });
    expect(first.apiToken).toMatch(/^[0-9a-f]{48}$/);
    expect(first.appSecret).not.toBe(first.apiToken);
    expect(first.gatewayUrl).toBe('http://127.0.0.1:3001');
    const file = join(dataDir, 'local.json');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(recordLocalStart(dataDir, { gatewayPort: 3001, chat: true })).toEqual(first);
    expect(readLocalSettings(dataDir)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  test('a later start on another port keeps the secrets and records the new address', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-local-'));
    const first = recordLocalStart(dataDir, { gatewayPort: 3001, chat: true });
    const second = recordLocalStart(dataDir, { gatewayPort: 4100, chat: true });
    expect(second).toEqual({ ...first, gatewayUrl: 'http://127.0.0.1:4100' });
  });

  test('a damaged file is replaced by new settings', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-local-'));
    writeFileSync(join(dataDir, 'local.json'), '{ not json');
    expect(recordLocalStart(dataDir, { gatewayPort: 3001, chat: true }).apiToken).toMatch(/^[0-9a-f]{48}$/);
  });

  test('reading them before any start says to start first', () => {
    expect(() => readLocalSettings(mkdtempSync(join(tmpdir(), 'helpline-none-')))).toThrow(/npm start/);
  });

  test('a start adds a stand-in Twilio account to older files, and the Twilio chat needs a start that used it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-local-'));
    const first = recordLocalStart(dataDir, { gatewayPort: 3001, chat: true });
    expect(first.twilioAccountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(() => readLocalSettings(dataDir, 'twilio')).toThrow(/TWILIO_ACCOUNT_SID/);
    const second = recordLocalStart(dataDir, { gatewayPort: 3001, chat: true, twilioChat: true });
    expect(second).toEqual({ ...first, twilioChat: true });
    expect(readLocalSettings(dataDir, 'twilio').twilioPort).toBe(3998);
  });

  test('after a start with Cloud API credentials the chat says it cannot stand in for Meta', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'helpline-local-'));
    recordLocalStart(dataDir, { gatewayPort: 3001, chat: false });
    expect(() => readLocalSettings(dataDir)).toThrow(
      /talks to Meta.*start without WHATSAPP_ACCESS_TOKEN and META_APP_SECRET/,
    );
  });
});

describe('what the start gives the services', () => {
  const local = {
    apiToken: 'a'.repeat(48),
    appSecret: 'b'.repeat(48),
    accessToken: 'local-c',
    phoneNumberId: '100000000000001',
    graphPort: 3999,
  };

  test('with nothing set: a generated operator token, the chat simulator in place of Meta, default ports', () => {
    const plan = planStart({ PATH: '/bin' }, 'redis://127.0.0.1:6379', local);
    expect(plan.localChat).toBe(true);
    expect(plan.env).toMatchObject({
      PATH: '/bin',
      REDIS_URL: 'redis://127.0.0.1:6379',
      API_TOKEN: local.apiToken,
      META_APP_SECRET: local.appSecret,
      WHATSAPP_ACCESS_TOKEN: local.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: local.phoneNumberId,
      GRAPH_API_URL: 'http://127.0.0.1:3999',
      // The desk reaches the gateway next door for close, resume and erase.
      GATEWAY_URL: 'http://127.0.0.1:3001',
    });
    expect(plan.ports).toEqual({
      gateway: 3001,
      classifier: 8001,
      tickets: 8003,
      network: 8004,
      accounts: 8005,
      desk: 8006,
    });
    expect(plan.notes.join('\n')).toContain('operator token (API_TOKEN) generated');
    expect(plan.notes.join('\n')).toContain('chat simulator');
    // The demo ISP's knowledge base, a folder that exists, so the simulator shows the assistant.
    expect(plan.env.KNOWLEDGE_DIR).toMatch(/services\/classifier\/knowledge\/$/);
    expect(existsSync(join(plan.env.KNOWLEDGE_DIR ?? '', 'atencion.es.md'))).toBe(true);
  });

  test('a real channel never gets the demo knowledge; a KNOWLEDGE_DIR set is kept', () => {
    expect(
      planStart({ META_APP_SECRET: 's', WHATSAPP_ACCESS_TOKEN: 't' }, 'redis://x:1', local).env.KNOWLEDGE_DIR,
    ).toBe(undefined);
    expect(planStart({ KNOWLEDGE_DIR: '/srv/kb' }, 'redis://x:1', local).env.KNOWLEDGE_DIR).toBe('/srv/kb');
  });

  test('what the operator set (in the environment or .env) is kept, never replaced', () => {
    const set = {
      API_TOKEN: 'operator-token-0123456789',
      META_APP_SECRET: 'real-secret',
      WHATSAPP_ACCESS_TOKEN: 'EAAG-real',
      WHATSAPP_PHONE_NUMBER_ID: '123456',
      GATEWAY_PORT: '4001',
      TICKETS_PORT: '4003',
    };
    const plan = planStart(set, 'redis://10.0.0.5:6379', local);
    expect(plan.localChat).toBe(false);
    expect(plan.env).toMatchObject(set);
    expect(plan.env.GRAPH_API_URL).toBeUndefined();
    expect(plan.ports).toMatchObject({ gateway: 4001, tickets: 4003, classifier: 8001 });
    expect(plan.env.GATEWAY_URL).toBe('http://127.0.0.1:4001');
    expect(plan.notes).toEqual([]);
  });

  test('the database the start resolved reaches every service as DATABASE_URL', () => {
    const plan = planStart({ PATH: '/bin' }, 'redis://127.0.0.1:6379', local, 'postgres://127.0.0.1:5432/helpline');
    expect(plan.env.DATABASE_URL).toBe('postgres://127.0.0.1:5432/helpline');
  });

  test('with no Twilio credential: the Twilio channel talks to the chat simulator; with one, nothing is replaced', () => {
    const withTwilio = {
      ...local,
      twilioAccountSid: `AC${'d'.repeat(32)}`,
      twilioAuthToken: 'e'.repeat(48),
      twilioPort: 3998,
    };
    const plan = planStart({ GATEWAY_PORT: '4001' }, 'redis://127.0.0.1:6379', withTwilio);
    expect(plan.env).toMatchObject({
      TWILIO_ACCOUNT_SID: withTwilio.twilioAccountSid,
      TWILIO_AUTH_TOKEN: withTwilio.twilioAuthToken,
      TWILIO_WHATSAPP_NUMBER: '+15550000000',
      TWILIO_API_URL: 'http://127.0.0.1:3998',
      TWILIO_WEBHOOK_URL: 'http://127.0.0.1:4001/webhook/twilio',
    });
    expect(plan.notes.join('\n')).toContain('npm run chat -- --channel twilio');
    const real = planStart({ TWILIO_ACCOUNT_SID: `AC${'f'.repeat(32)}` }, 'redis://x:1', withTwilio);
    expect(real.env.TWILIO_ACCOUNT_SID).toBe(`AC${'f'.repeat(32)}`);
    expect(real.env.TWILIO_API_URL).toBeUndefined();
  });

  test('the start reads .env beneath the environment, as the services do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'META_APP_SECRET=from-dotenv\nGATEWAY_PORT=4001\nAPI_TOKEN=dotenv-token-0123456789\n');
    const environment = readEnvironment({ env: { GATEWAY_PORT: '4002' }, envFile: file });
    expect(usesLocalChat(environment)).toBe(false);
    expect(servicePorts(environment).gateway).toBe(4002);
    expect(planStart(environment, 'redis://x:1', local).env.API_TOKEN).toBe('dotenv-token-0123456789');
  });
});

describe('log lines in the terminal', () => {
  test('pino JSON becomes one short line; other text passes through', () => {
    const line = JSON.stringify({
      level: 40,
      time: '2026-01-01',
      pid: 1,
      hostname: 'h',
      name: 'x',
      msg: 'router not configured',
      correlationId: 'wamid.1',
      err: { message: 'x' },
    });
    expect(formatLogLine('network', line)).toBe('[network] warn router not configured correlationId=wamid.1');
    expect(formatLogLine('gateway', 'plain text')).toBe('[gateway] plain text');
  });
});
