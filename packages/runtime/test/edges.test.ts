import { jsonTextDepth, MAX_JSON_DEPTH, QUEUE_NAMES } from '@helpline/contracts';
import {
  createHttpApp,
  createMetrics,
  DeadlineError,
  type HttpApp,
  isRedisConnectionError,
  looksLikeCredential,
  maskPhones,
  PayloadValidationError,
  QueueAddError,
  redactQuery,
  withoutCommandArguments,
} from '@helpline/runtime';
import { readConformancePayloads } from '@helpline/testkit';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { memoryLogger } from './support/index.js';

const TOKEN = 'operator-token-0123456789';

async function buildApp(logger = memoryLogger().logger): Promise<HttpApp> {
  const app = await createHttpApp({ service: 'test', logger, metrics: createMetrics('test'), apiToken: TOKEN });
  app.post('/echo', { schema: { body: z.looseObject({}) } }, async (request) => ({ keys: Object.keys(request.body) }));
  app.get(
    '/chats/:chatId',
    { onRequest: app.operatorAuth, schema: { params: z.object({ chatId: z.string() }) } },
    async (request) => ({ chat: request.params.chatId }),
  );
  app.get('/invalid-job', async () => {
    throw new PayloadValidationError(QUEUE_NAMES.outbound, [{ path: 'to', message: 'bad' }], 'to: bad');
  });
  app.get('/redis-away', async () => {
    throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
  });
  app.get('/surprise', async () => {
    throw new QueueAddError(QUEUE_NAMES.outbound, new Error('ERR unexpected reply from the script'));
  });
  await app.ready();
  return app;
}

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('JSON nesting limit', () => {
  test('every conformance payload fits well inside the limit (their depth measured)', () => {
    const payloads = [...readConformancePayloads('meta'), ...readConformancePayloads('baileys')];
    expect(payloads.length).toBeGreaterThan(10);
    const deepest = Math.max(...payloads.map((p) => jsonTextDepth(p.raw, 1_000)));
    // Measured: the deepest real payload, with room to spare for what Meta may add.
    expect(deepest).toBeGreaterThanOrEqual(4);
    expect(deepest * 2).toBeLessThanOrEqual(MAX_JSON_DEPTH);
  });

  test('a body at the limit is parsed; one level deeper is a 400 that names the problem', async () => {
    const app = await buildApp();
    const atLimit = `{"a":${nested(MAX_JSON_DEPTH - 1)}}`;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/echo',
          headers: { 'content-type': 'application/json' },
          payload: atLimit,
        })
      ).statusCode,
    ).toBe(200);
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: `{"a":${nested(10_000)}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'body_too_deep',
      message: `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    await app.close();
  });

  test('a __proto__ key is refused by name, not as "not valid JSON"', async () => {
    const app = await buildApp();
    for (const [payload, key] of [
      ['{"a":1,"__proto__":{"admin":true}}', '__proto__'],
      ['{"x":{"constructor":{"prototype":{"admin":true}}}}', 'constructor.prototype'],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: 'forbidden_key',
        message: `body: the key ${key} is not allowed`,
        details: { key },
      });
    }
    const broken = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toBe('body is not valid JSON (it ends too early)');
    await app.close();
  });
});

describe('queue errors in routes', () => {
  test('a payload the queue contract refuses is a 400, an unexpected add failure a 500 logged once with its cause', async () => {
    const { logger, lines } = memoryLogger();
    const app = await buildApp(logger);
    const invalid = await app.inject({ method: 'GET', url: '/invalid-job' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: 'invalid_payload', message: 'invalid outbound payload: to: bad' });
    const surprise = await app.inject({ method: 'GET', url: '/surprise' });
    expect(surprise.statusCode).toBe(500);
    expect(surprise.json()).toEqual({ error: 'internal_error', message: 'internal error' });
    const failures = lines.filter((l) => l.msg === 'request failed');
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0])).toContain('unexpected reply from the script');
    await app.close();
  });
});

describe('Redis away in a route', () => {
  test('answers 503 unavailable through the error handler, logged as a warning; a bug stays a 500', async () => {
    const { logger, lines } = memoryLogger();
    const app = await buildApp(logger);
    const away = await app.inject({ method: 'GET', url: '/redis-away' });
    expect(away.statusCode).toBe(503);
    expect(away.json()).toEqual({ error: 'unavailable', message: 'a store (Redis) is unavailable; try again later' });
    expect(lines.filter((l) => l.msg === 'request refused: Redis unavailable')).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/surprise' })).statusCode).toBe(500);
    await app.close();
  });
});

describe('which errors mean Redis is away', () => {
  test('connection failures, deadlines and "cannot write now" replies; not a wrong type, a bug or the payload', () => {
    const withCode = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
    for (const error of [
      withCode('ECONNREFUSED'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error('Connection is closed.'),
      new DeadlineError('adding a job to outbound', 3_000),
      new Error('LOADING Redis is loading the dataset in memory'),
      new Error("READONLY You can't write against a read only replica."),
      new Error('OOM command not allowed when used memory > maxmemory.'),
    ]) {
      expect(isRedisConnectionError(error), error.message).toBe(true);
    }
    for (const error of [
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new TypeError('Do not know how to serialize a BigInt'),
      new RangeError('Maximum call stack size exceeded'),
      'ECONNREFUSED',
    ]) {
      expect(isRedisConnectionError(error), String(error)).toBe(false);
    }
  });
});

describe('security headers', () => {
  test('nosniff on every answer; HTML pages may not be framed', async () => {
    const app = await buildApp();
    for (const url of ['/health', '/docs/json', '/nowhere']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBeUndefined();
    }
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    await app.close();
  });
});

describe('log redaction by rule', () => {
  test('credential-like query names are recognised by rule', () => {
    for (const name of [
      'api_token',
      'auth',
      'Authorization',
      'access_token',
      'hub.verify_token',
      'apiKey',
      'secret',
      'password',
      'signature',
      'X-Api-Key',
    ]) {
      expect(looksLikeCredential(name)).toBe(true);
    }
    for (const name of ['offset', 'limit', 'state', 'number', 'channel']) expect(looksLikeCredential(name)).toBe(false);
    expect(redactQuery('auth=abc&offset=2&number=573001234567')).toBe('auth=[redacted]&offset=2&number=57********67');
    expect(maskPhones('/api/conversations/573001234567/messages')).toBe('/api/conversations/57********67/messages');
  });

  test('request lines carry the route pattern; a refused request keeps no query string', async () => {
    const { logger, lines } = memoryLogger();
    const app = await buildApp(logger);
    const refused = await app.inject({ method: 'GET', url: `/chats/573001234567?api_token=${TOKEN}&note=hello` });
    expect(refused.statusCode).toBe(401);
    const ok = await app.inject({
      method: 'GET',
      url: '/chats/573001234567?number=573009876543&authorization=xyz-secret&offset=1',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    const unknown = await app.inject({ method: 'GET', url: '/nowhere/573001234567?token=abc' });
    expect(unknown.statusCode).toBe(404);
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    for (const secret of [TOKEN, 'xyz-secret', '573001234567', '573009876543', 'hello'])
      expect(text).not.toContain(secret);
    const urls = lines.filter((l) => l.msg === 'incoming request').map((l) => (l.req as { url: string }).url);
    // No route matched the last: its path is logged with the phone masked.
    expect(urls).toEqual(['/chats/:chatId', '/chats/:chatId', '/nowhere/57********67']);
    const queries = lines.filter((l) => l.msg === 'request completed').map((l) => (l.res as { query?: string }).query);
    expect(queries).toEqual([
      '[redacted]',
      'number=57********43&authorization=[redacted]&offset=1',
      'token=[redacted]',
    ]);
    await app.close();
  });

  test('an error carrying Redis command arguments is serialised without them, the error itself untouched', () => {
    const error = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), {
      command: { name: 'evalsha', args: ['sha', '1', 'chat:573001234567', 'mi internet no funciona'] },
    });
    const cleaned = withoutCommandArguments({
      message: error.message,
      command: error.command,
      nested: { command: error.command },
    });
    expect(cleaned.command).toEqual({ name: 'evalsha', args: '[redacted]' });
    expect(cleaned.nested.command).toEqual({ name: 'evalsha', args: '[redacted]' });
    expect(error.command.args).toHaveLength(4);
  });
});
