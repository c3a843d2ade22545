import { Writable } from 'node:stream';
import { createLogger, type HttpApp } from '@helpline/runtime';
import {
  buildSignedWebhookRequest,
  metaJson,
  metricValue,
  signMetaWebhook,
  startTestRedis,
  type TestRedis,
} from '@helpline/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import {
  API_TOKEN,
  APP_SECRET,
  readyTestContext,
  testConfig,
  testContext,
  VERIFY_TOKEN,
  withRedisDown,
} from './support/harness.js';
import { textChange } from './support/meta-webhooks.js';

let redis: TestRedis;
let context: GatewayContext;
let app: HttpApp;
let logLines: string[];

beforeAll(async () => {
  redis = await startTestRedis();
});
beforeEach(async () => {
  logLines = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  context = await readyTestContext(redis.url, testConfig(), {
    logger: createLogger({ name: 'gw', level: 'debug', destination }),
  });
  app = await buildApp(context);
});
afterEach(async () => {
  await app.close();
  await context.close();
});
afterAll(async () => {
  await redis.stop();
});

// A fixed timestamp: some tests sign and compare these exact bytes.
const textPayload = (id: string, body: string, from = '5491155550000') =>
  textChange({ id, from, body, atMs: 1_763_600_000_000 });

function postSigned(body: unknown) {
  const req = buildSignedWebhookRequest({ body, appSecret: APP_SECRET });
  return app.inject({ method: 'POST', url: '/webhook', payload: req.payload, headers: req.headers });
}

async function storedText(id: string): Promise<unknown> {
  const job = await context.producers.inbound.queue.getJob(id);
  return (job?.data as { text?: string } | undefined)?.text;
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await context.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('GET /webhook (verification)', () => {
  it('echoes the challenge as plain text for the right token', async () => {
    const res = await app.inject({
      url: `/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('1158201444');
  });

  it.each([
    ['a wrong token', 'hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1'],
    ['a wrong mode', `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`],
    ['no parameters', ''],
    // The comparison hashes both sides first: tokens of another length are refused too.
    ['the token with a character more', `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}x&hub.challenge=1`],
    ['the token cut short', `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN.slice(0, -1)}&hub.challenge=1`],
    ['an empty token', 'hub.mode=subscribe&hub.verify_token=&hub.challenge=1'],
  ])('answers 403 to %s', async (_what, query) => {
    expect((await app.inject({ url: `/webhook?${query}` })).statusCode).toBe(403);
  });
});

describe('POST /webhook', () => {
  it('stores a signed message on inbound under its wamid and answers 200', async () => {
    const res = await postSigned(textPayload('wamid.A1', 'hola, no tengo internet'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', accepted: 1, duplicate: 0 });
    const job = await context.producers.inbound.queue.getJob('wamid.A1');
    expect(job?.data).toMatchObject({
      id: 'wamid.A1',
      channel: 'cloud',
      chatId: '5491155550000',
      text: 'hola, no tengo internet',
      senderName: 'Cliente',
    });
    expect(await metric('helpline_webhook_events_total', 'outcome="accepted"')).toBe(1);
    expect(await metric('helpline_messages_received_total', 'type="text"')).toBe(1);
  });

  it('answers 200 to a redelivery and creates no second job', async () => {
    const payload = textPayload('wamid.DUP', 'hola');
    expect((await postSigned(payload)).statusCode).toBe(200);
    const again = await postSigned(payload);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ accepted: 0, duplicate: 1 });
    expect(await context.producers.inbound.queue.getJobCountByTypes('waiting', 'active', 'completed')).toBe(1);
    expect(await metric('helpline_webhook_events_total', 'outcome="duplicate"')).toBe(1);
  });

  it('verifies the raw bytes: \\u escapes and raw UTF-8 with emoji and non-Latin text', async () => {
    const text = 'Здравствуйте 你好 مرحبا — señal caída 📶🙏';
    // Meta's form: every non-ASCII code unit escaped; a re-serialisation would differ.
    const escaped = metaJson(textPayload('wamid.ESC', text));
    expect(escaped).toContain('\\u');
    expect(escaped).not.toBe(JSON.stringify(JSON.parse(escaped)));
    const raw = JSON.stringify(textPayload('wamid.UTF', text));
    expect(raw).toContain('📶');
    for (const body of [escaped, raw]) {
      const res = await app.inject({
        method: 'POST',
        url: '/webhook',
        payload: Buffer.from(body, 'utf8'),
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(body, APP_SECRET) },
      });
      expect(res.statusCode).toBe(200);
    }
    expect(await storedText('wamid.ESC')).toBe(text);
    expect(await storedText('wamid.UTF')).toBe(text);
  });

  it('refuses a wrong signature with 401, counts it and does not log the body', async () => {
    const body = JSON.stringify(textPayload('wamid.BAD', 'SECRET-MARKER-TEXT'));
    const res = await app.inject({
      method: 'POST',
      url: '/webhook',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(body, 'another-secret') },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_signature' });
    expect(await context.producers.inbound.queue.getJob('wamid.BAD')).toBeUndefined();
    expect(await metric('helpline_webhook_events_total', 'outcome="invalid_signature"')).toBe(1);
    expect(logLines.join('')).toContain('webhook signature refused');
    expect(logLines.join('')).not.toContain('SECRET-MARKER-TEXT');
  });

  it.each([
    ['no signature', undefined],
    ['a malformed signature', 'sha256=zz'],
    ['another scheme', 'sha1=0123'],
  ])('refuses %s with 401', async (_what, signature) => {
    const body = JSON.stringify(textPayload('wamid.NOSIG', 'x'));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature) headers['x-hub-signature-256'] = signature;
    const res = await app.inject({ method: 'POST', url: '/webhook', payload: body, headers });
    expect(res.statusCode).toBe(401);
  });

  it('refuses a truncated body: 401 with the original signature, 400 when signed as truncated', async () => {
    const full = JSON.stringify(textPayload('wamid.TRUNC', 'hola'));
    const cut = full.slice(0, full.length - 7);
    const withOld = await app.inject({
      method: 'POST',
      url: '/webhook',
      payload: cut,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(full, APP_SECRET) },
    });
    expect(withOld.statusCode).toBe(401);
    const resigned = await app.inject({
      method: 'POST',
      url: '/webhook',
      payload: cut,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(cut, APP_SECRET) },
    });
    expect(resigned.statusCode).toBe(400);
    expect(resigned.json().message).toMatch(/^body is not valid JSON/);
    expect(await metric('helpline_webhook_events_total', 'outcome="bad_request"')).toBe(1);
  });

  it('never echoes the body in the 400 for malformed JSON: the position at most', async () => {
    // V8's own message would quote the text around the fault: "Unexpected token 'm', ...".
    const signedBadly = async (body: string) =>
      app.inject({
        method: 'POST',
        url: '/webhook',
        payload: body,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(body, APP_SECRET) },
      });
    const quoted = await signedBadly('{"entry": mi cédula es 10203040}');
    expect(quoted.statusCode).toBe(400);
    expect(quoted.json().message).toMatch(/^body is not valid JSON( \(at position \d+\))?$/);
    expect(quoted.body).not.toContain('10203040');
    const misplaced = await signedBadly('{"entry": "10203040",}');
    expect(misplaced.json().message).toBe('body is not valid JSON (at position 21)');
    const token = await signedBadly('mi cédula es 10203040');
    expect(token.json().message).toMatch(/^body is not valid JSON/);
    expect(token.body).not.toContain('10203040');
    expect(token.body).not.toContain('cédula');
    const cut = await signedBadly('{"entry": "10203040"');
    expect(cut.json().message).toMatch(/^body is not valid JSON( \(at position \d+\)| \(it ends too early\))?$/);
    expect(cut.body).not.toContain('10203040');
  });

  it('keeps messages it cannot take for an operator, answers 200, and takes the rest of the payload', async () => {
    const from = '5491155550000';
    const longId = `wamid.${'A'.repeat(300)}`;
    const longText = {
      from,
      id: 'wamid.LONGTEXT',
      timestamp: '1763600000',
      type: 'text',
      text: { body: 'x'.repeat(70_000) },
    };
    const tooLongId = { from, id: longId, timestamp: '1763600000', type: 'text', text: { body: 'hola' } };
    const noSender = { id: 'wamid.NOSENDER', timestamp: '1763600000', type: 'text', text: { body: 'sin remitente' } };
    const good = { from, id: 'wamid.GOOD', timestamp: '1763600000', type: 'text', text: { body: 'esta sí' } };
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                contacts: [{ profile: { name: 'Cliente' }, wa_id: from }],
                messages: [longText, tooLongId, good],
              },
            },
            { field: 'messages', value: { messaging_product: 'whatsapp', messages: [noSender] } },
          ],
        },
      ],
    };
    const res = await postSigned(payload);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, duplicate: 0, refused: 3 });
    expect(await storedText('wamid.GOOD')).toBe('esta sí');
    expect(await context.producers.inbound.queue.getJobCountByTypes('waiting')).toBe(1);
    expect(await metric('helpline_webhook_events_total', 'outcome="refused"')).toBe(3);

    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const list = await app.inject({ url: '/api/webhook/refused', headers: auth });
    expect(list.statusCode).toBe(200);
    const { total, items } = list.json() as {
      total: number;
      items: { id: string; reason: string; chatId?: string; payload: { message: unknown; contacts?: unknown } }[];
    };
    expect(total).toBe(3);
    // Newest first; each with what was wrong (field names, not values) and all Meta sent.
    expect(items.map((i) => i.reason)).toEqual([
      'message names no sender (from, from_user_id or contacts)',
      expect.stringMatching(/^refused by the inbound contract: (id|correlationId): /),
      expect.stringMatching(/^refused by the inbound contract: text: /),
    ]);
    expect(items.map((i) => i.payload.message)).toEqual([noSender, tooLongId, longText]);
    expect(items[1]).toMatchObject({ chatId: from, payload: { contacts: [{ wa_id: from }] } });
    for (const item of items) expect(item.reason).not.toContain('xxxx');
    // The log names the reason, never the text.
    expect(logLines.join('')).not.toContain('x'.repeat(100));

    // Meta redelivers the payload (say another message met Redis down): nothing twice.
    const again = await postSigned(payload);
    expect(again.json()).toMatchObject({ accepted: 0, duplicate: 1, refused: 3 });
    expect((await app.inject({ url: '/api/webhook/refused', headers: auth })).json().total).toBe(3);
    expect(await metric('helpline_webhook_events_total', 'outcome="refused"')).toBe(3);

    const removed = await app.inject({ method: 'DELETE', url: `/api/webhook/refused/${items[0]?.id}`, headers: auth });
    expect(removed.json()).toEqual({ id: items[0]?.id, removed: true });
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/webhook/refused/${items[0]?.id}`, headers: auth })).statusCode,
    ).toBe(404);
    const page = (await app.inject({ url: '/api/webhook/refused?limit=1&offset=1', headers: auth })).json();
    expect(page).toMatchObject({ total: 2, offset: 1, limit: 1 });
    expect(page.items.map((i: { payload: { message: unknown } }) => i.payload.message)).toEqual([longText]);
    expect((await app.inject({ url: '/api/webhook/refused' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/api/webhook/refused/nope', headers: auth })).statusCode).toBe(
      400,
    );
  });

  it('refuses well-signed JSON that is not a webhook, naming the field', async () => {
    const res = await postSigned({ object: 'whatsapp_business_account', entry: 'nope' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/entry/);
  });

  it('refuses a wrong content type with 415 and counts it', async () => {
    const body = JSON.stringify(textPayload('wamid.CT', 'hola'));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await app.inject({
        method: 'POST',
        url: '/webhook',
        payload: body,
        headers: { 'content-type': type, 'x-hub-signature-256': signMetaWebhook(body, APP_SECRET) },
      });
      expect(res.statusCode).toBe(415);
    }
    expect(await metric('helpline_webhook_events_total', 'outcome="bad_request"')).toBe(2);
    expect(await context.producers.inbound.queue.getJob('wamid.CT')).toBeUndefined();
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const huge = JSON.stringify(textPayload('wamid.HUGE', 'x'.repeat(1024 * 1024)));
    const res = await app.inject({
      method: 'POST',
      url: '/webhook',
      payload: huge,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(huge, APP_SECRET) },
    });
    expect(res.statusCode).toBe(413);
    expect(await context.producers.inbound.queue.getJob('wamid.HUGE')).toBeUndefined();
  });

  it('answers 200 to a field it does not handle and counts it as ignored', async () => {
    const res = await postSigned({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }],
    });
    expect(res.statusCode).toBe(200);
    expect(await metric('helpline_webhook_events_total', 'outcome="ignored"')).toBe(1);
    const other = await postSigned({ object: 'page', entry: [] });
    expect(other.statusCode).toBe(200);
    expect(await metric('helpline_webhook_events_total', 'outcome="ignored"')).toBe(2);
  });

  it('accepts unknown fields anywhere in a message', async () => {
    const payload = textPayload('wamid.EXTRA', 'hola') as {
      entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }>;
    };
    const value = payload.entry[0]?.changes[0]?.value as {
      messages: Array<Record<string, unknown>>;
      brand_new_field?: unknown;
    };
    value.brand_new_field = { nested: true };
    (value.messages[0] as Record<string, unknown>).something_new = [1, 2, 3];
    const res = await postSigned({ ...payload, extra_top: 'x' });
    expect(res.statusCode).toBe(200);
    expect(await storedText('wamid.EXTRA')).toBe('hola');
  });

  it('updates the delivery state from statuses and counts failures by code', async () => {
    await context.deliveryStore.onSent?.(
      {
        correlationId: 'wamid.IN',
        purpose: 'ack',
        channel: 'cloud',
        to: '5491155550000',
        content: { kind: 'text', body: 'x', previewUrl: false },
      },
      { messageId: 'wamid.OUT' },
    );
    const status = (s: string, extra: Record<string, unknown> = {}) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                statuses: [
                  { id: 'wamid.OUT', status: s, timestamp: '1763600100', recipient_id: '5491155550000', ...extra },
                ],
              },
            },
          ],
        },
      ],
    });
    expect((await postSigned(status('delivered'))).statusCode).toBe(200);
    expect(await context.deliveryStore.get('wamid.OUT')).toMatchObject({
      status: 'delivered',
      correlationId: 'wamid.IN',
      purpose: 'ack',
    });
    await postSigned(status('sent'));
    expect((await context.deliveryStore.get('wamid.OUT'))?.status).toBe('delivered');
    await postSigned(status('failed', { errors: [{ code: 131026, title: 'Message undeliverable' }] }));
    expect(await context.deliveryStore.get('wamid.OUT')).toMatchObject({ status: 'failed', errorCode: 131026 });
    expect(await metric('helpline_delivery_failures_total', 'code="131026"')).toBe(1);
  });

  it('answers 503 naming META_APP_SECRET when it is unset', async () => {
    const ctx = testContext(redis.url, testConfig({ META_APP_SECRET: undefined }));
    const bare = await buildApp(ctx);
    try {
      const req = buildSignedWebhookRequest({ body: textPayload('wamid.NOSECRET', 'x'), appSecret: APP_SECRET });
      const res = await bare.inject({ method: 'POST', url: '/webhook', payload: req.payload, headers: req.headers });
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toMatch(/META_APP_SECRET/);
      const health = await bare.inject({ url: '/health' });
      expect(health.json().checks.webhook).toMatchObject({ status: 'degraded' });
    } finally {
      await bare.close();
      await ctx.close();
    }
  });
});

describe('POST /webhook with Redis down', () => {
  it('answers 503 so that Meta delivers again, and acknowledges nothing', async () => {
    await withRedisDown(
      (url) => testContext(url, testConfig(), { addTimeoutMs: 500 }),
      async (down, context) => {
        const req = buildSignedWebhookRequest({ body: textPayload('wamid.DOWN', 'hola'), appSecret: APP_SECRET });
        const res = await down.inject({ method: 'POST', url: '/webhook', payload: req.payload, headers: req.headers });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ error: 'unavailable' });
        const metrics = await context.metrics.registry.metrics();
        expect(metricValue(metrics, 'helpline_webhook_events_total', { outcome: 'unavailable' })).toBe(1);
        const health = await down.inject({ url: '/health' });
        expect(health.statusCode).toBe(503);
      },
    );
  });
});
