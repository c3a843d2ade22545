import { once } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger, type HttpApp } from '@helpline/runtime';
import type { InjectOptions } from 'fastify';
import { buildSignedWebhookRequest, startTestRedis, type TestRedis, waitFor } from '@helpline/testkit';
import { type FakeGraphApi, startFakeGraphApi } from '@helpline/testkit/meta-graph';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { API_TOKEN, APP_SECRET, PHONE_NUMBER_ID, testConfig, testContext, VERIFY_TOKEN } from './support/harness.js';
import { textChange } from './support/meta-webhooks.js';

// What a day of traffic leaves in the logs at info: a customer's message through the
// webhook and its answers through the Graph API, staff looking the chat up by phone in the
// path and the query, credentials put in query strings (refused, and one accepted), a
// forged webhook and a request that fails inside Redis. None of the secrets, phone numbers
// or message texts may appear in any line.

const ACCESS_TOKEN = 'graph-access-token-9f8e7d6c5b4a';
const PHONE = '573001112233';
const OTHER_PHONE = '573009998877';
const TEXT = 'mi router sigue sin internet desde ayer';
const OTHER_TEXT = 'la factura llegó con un cobro doble';

let redis: TestRedis;
let graph: FakeGraphApi;
let context: GatewayContext;
let app: HttpApp;
const lines: string[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = testConfig({
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    GRAPH_API_URL: graph.url,
  });
  context = testContext(redis.url, config, {
    consent: true,
    logger: createLogger({ name: 'gateway', level: 'info', destination }),
  });
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  app = await buildApp(context);
  startWorkers(context);
});
afterAll(async () => {
  await app?.close();
  await context?.close();
  await graph?.close();
  await redis?.stop();
});

const auth = { authorization: `Bearer ${API_TOKEN}` };
const signed = (body: unknown) => {
  const req = buildSignedWebhookRequest({ body, appSecret: APP_SECRET });
  return { method: 'POST' as const, url: '/webhook', payload: req.payload, headers: req.headers };
};

describe('logs at info', () => {
  test('carry no token, app secret, access token, phone number or message text', async () => {
    const statuses: Record<string, number> = {};
    const call = async (name: string, options: InjectOptions) => {
      statuses[name] = (await app.inject(options)).statusCode;
    };

    await call('webhook', signed(textChange({ id: 'wamid.LOG1', from: PHONE, body: TEXT, name: 'Ana Cliente' })));
    // The conversation answers through the Graph API with the access token.
    await waitFor(() => graph.messageRequests().length > 0 || undefined, 15_000, 'an answer sent to the Graph API');
    await call('list by number', { url: `/api/conversations?number=${PHONE}`, headers: auth });
    await call('messages', { url: `/api/conversations/${PHONE}/messages?limit=5`, headers: auth });
    await call('token in query', { url: `/api/conversations/${PHONE}/messages?api_token=${API_TOKEN}` });
    await call('auth in query', { url: `/api/status?auth=${API_TOKEN}&authorization=Bearer%20${API_TOKEN}` });
    await call('verify', {
      url: `/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1234567890`,
    });
    const forged = signed(textChange({ id: 'wamid.LOG2', from: OTHER_PHONE, body: OTHER_TEXT }));
    await call('forged', { ...forged, headers: { ...forged.headers, 'x-hub-signature-256': 'sha256=00' } });
    // A failure inside Redis: the refused-message store's key holds the wrong type, so
    // keeping a message the contract refuses (its id holds a lone surrogate) fails with
    // WRONGTYPE, an error that carries the script's arguments: the message, phone and text.
    const refusedKey = `${context.prefix}:gateway:webhook:refused`;
    await context.redis('producer').set(refusedKey, 'not a stream');
    await call('failing', signed(textChange({ id: 'wamid.LOG3\ud83d', from: OTHER_PHONE, body: OTHER_TEXT })));
    await context.redis('producer').del(refusedKey);
    await call('erase', { method: 'DELETE', url: `/api/conversations/${PHONE}`, headers: auth });

    expect(statuses).toEqual({
      webhook: 200,
      'list by number': 200,
      messages: 200,
      'token in query': 401,
      'auth in query': 401,
      verify: 200,
      forged: 401,
      failing: 500,
      erase: 200,
    });
    const text = lines.join('');
    // The sequence was logged (so the test can fail): request lines, the refusal, the failure.
    expect(text).toContain('"url":"/api/conversations/:chatId/messages"');
    expect(text).toContain('webhook signature refused');
    expect(text).toContain('WRONGTYPE');
    for (const secret of [API_TOKEN, APP_SECRET, ACCESS_TOKEN, VERIFY_TOKEN, PHONE, OTHER_PHONE, TEXT, OTHER_TEXT]) {
      expect(text, secret).not.toContain(secret);
    }
    // Nor a phone split by JSON escaping or kept in part beyond the mask.
    expect(text).not.toMatch(/57300\d{7}/);
  });
});
