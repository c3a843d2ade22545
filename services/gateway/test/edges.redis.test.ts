import { MAX_JSON_DEPTH, type OutboundMessageInput } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { buildSignedWebhookRequest, startTestRedis, type TestRedis } from '@helpline/testkit';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { whenReady } from '@helpline/runtime';
import { API_TOKEN, APP_SECRET, testConfig, testContext } from './support/harness.js';
import { messagesChange, textChange } from './support/meta-webhooks.js';

// The gateway's edges against ill-formed Unicode and deep nesting: the webhook, POST
// /api/send-message and the staff routes. Customer text is repaired (U+FFFD), identifiers
// are refused naming the field, nothing answers 5xx, and a signed delivery is never refused
// in a way Meta would redeliver for days.

let redis: TestRedis;
let context: GatewayContext;
let app: HttpApp;

beforeAll(async () => {
  redis = await startTestRedis();
});
beforeEach(async () => {
  context = testContext(redis.url, testConfig());
  await whenReady(context.redis('producer'));
  app = await buildApp(context);
});
afterEach(async () => {
  await app.close();
  await context.close();
});
afterAll(async () => {
  await redis.stop();
});

const auth = { authorization: `Bearer ${API_TOKEN}` };
const LONE = '\ud83d';
const anyString = fc.string({ unit: 'binary', maxLength: 30 });
let sequence = 0;
const nextId = () => `wamid.EDGE${++sequence}`;

function signedInject(body: unknown) {
  const req = buildSignedWebhookRequest({ body, appSecret: APP_SECRET });
  return { method: 'POST' as const, url: '/webhook', payload: req.payload, headers: req.headers };
}
const postSigned = (body: unknown) => app.inject(signedInject(body));

/** JSON text of `value` with `"DEEP"` replaced by an array nested `levels` deep (as text: no serialiser could write it). */
function withDeepArray(value: unknown, levels: number): string {
  return JSON.stringify(value).replace('"DEEP"', `${'['.repeat(levels)}${']'.repeat(levels)}`);
}

const message = (overrides: Partial<OutboundMessageInput> = {}): OutboundMessageInput => ({
  correlationId: nextId(),
  purpose: 'operator',
  channel: 'cloud',
  to: '573001112233',
  content: { kind: 'text', body: 'Hola' },
  ...overrides,
});

describe('POST /api/send-message', () => {
  test('a template nested 10,000 levels deep is a 400 naming the problem, not 503 "queue unavailable"', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/send-message',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: withDeepArray(
        message({ content: { kind: 'template', name: 'aviso', language: 'es', components: [{ parameters: 'DEEP' }] } }),
        10_000,
      ),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(await context.producers.outbound.queue.count()).toBe(0);
  });

  test('a correlationId with a lone surrogate is a 400 naming it; a body with one is queued repaired', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/send-message',
      headers: auth,
      payload: message({ correlationId: `wamid.X${LONE}` }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/body\.correlationId: must be well-formed Unicode/);
    const good = message({ content: { kind: 'text', body: `Hola ${LONE}` } });
    const ok = await app.inject({ method: 'POST', url: '/api/send-message', headers: auth, payload: good });
    expect(ok.statusCode).toBe(202);
    const job = await context.producers.outbound.queue.getJob(ok.json().jobId);
    expect((job?.data as { content?: unknown } | undefined)?.content).toMatchObject({
      kind: 'text',
      body: 'Hola \ufffd',
    });
  });

  test('a __proto__ key is refused by name', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/send-message',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: `{"__proto__":{"x":1},"correlationId":"a"}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'forbidden_key', message: 'body: the key __proto__ is not allowed' });
  });

  test('property: arbitrary strings in the body and ids never answer 5xx; ids refused 400, text repaired', async () => {
    await fc.assert(
      fc.asyncProperty(anyString, anyString, async (text, id) => {
        const payload = message({ correlationId: `${nextId()}${id}`, content: { kind: 'text', body: `t${text}` } });
        const res = await app.inject({ method: 'POST', url: '/api/send-message', headers: auth, payload });
        expect(res.statusCode).toBeLessThan(500);
        if (!payload.correlationId.isWellFormed()) {
          expect(res.statusCode).toBe(400);
          expect(res.json().message).toContain('correlationId');
          return;
        }
        if (res.statusCode !== 202) return; // blank after trimming, too long: refused, named
        const job = await context.producers.outbound.queue.getJob(res.json().jobId);
        expect((job?.data as { content?: unknown } | undefined)?.content).toMatchObject({
          body: `t${text}`.toWellFormed().trim(),
        });
        expect(job?.id).toBe(res.json().jobId);
      }),
      { numRuns: 60 },
    );
  });
});

describe('POST /webhook', () => {
  test('a signed delivery whose messages nest 10,000 deep is kept for an operator and acknowledged with 200', async () => {
    const body = withDeepArray(messagesChange({ messages: 'DEEP' }), 10_000);
    const res = await postSigned(body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', accepted: 0, refused: 1 });
    const refused = await app.inject({ method: 'GET', url: '/api/webhook/refused', headers: auth });
    expect(refused.statusCode).toBe(200);
    const [item] = refused.json().items;
    expect(item.reason).toContain(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(typeof item.payload.raw).toBe('string');
    // Meta delivering it again keeps one entry.
    expect((await postSigned(body)).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/webhook/refused', headers: auth })).json().total).toBe(1);
  });

  test('a signed delivery with a __proto__ key is kept unused for an operator and acknowledged with 200', async () => {
    const body = JSON.stringify(textChange({ id: nextId(), from: '573001112233', body: 'hola' })).replace(
      '"messaging_product"',
      '"__proto__":{"polluted":true},"messaging_product"',
    );
    const res = await postSigned(body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 0, refused: 1 });
    const refused = await app.inject({ method: 'GET', url: '/api/webhook/refused', headers: auth });
    expect(refused.json().items[0].reason).toContain('the key __proto__ is not allowed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a customer text ending in a lone surrogate is queued repaired; a sender id with one is kept aside', async () => {
    const id = nextId();
    const res = await postSigned(textChange({ id, from: '573001112233', body: `no tengo internet ${LONE}` }));
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toBe(1);
    const job = await context.producers.inbound.queue.getJob(id);
    expect((job?.data as { text?: unknown } | undefined)?.text).toBe('no tengo internet \ufffd');
    const bad = await postSigned(textChange({ id: `${nextId()}${LONE}`, from: '573001112233', body: 'hola' }));
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ accepted: 0, refused: 1 });
  });

  test('property: arbitrary text, names and ids in a signed delivery always answer 200, text round-trips repaired', async () => {
    await fc.assert(
      fc.asyncProperty(anyString, anyString, anyString, async (body, name, idTail) => {
        const id = `${nextId()}${idTail}`;
        const res = await postSigned(textChange({ id, from: '573001112233', body: `b${body}`, name: `n${name}` }));
        expect(res.statusCode).toBe(200);
        const answer = res.json();
        if (!id.isWellFormed()) {
          expect(answer.refused).toBe(1);
          return;
        }
        expect(answer.accepted + answer.duplicate).toBe(1);
        const job = await context.producers.inbound.queue.getJob(id.trim());
        if (job) expect((job.data as { text?: unknown }).text).toBe(`b${body}`.toWellFormed());
      }),
      { numRuns: 40 },
    );
  });
});

describe('the conversation store', () => {
  test('property: a customer text of arbitrary code units is stored and read back by staff repaired', async () => {
    const conversational = testContext(redis.url, testConfig(), { consent: true });
    await whenReady(conversational.redis('producer'));
    const staffApp = await buildApp(conversational);
    try {
      let chat = 0;
      await fc.assert(
        fc.asyncProperty(anyString, async (body) => {
          const chatId = `57300${String(++chat).padStart(7, '0')}`;
          const text = `b${body}`;
          // Nothing is kept before consent: the notice, the customer's acceptance, then the text.
          const steps = [
            textChange({ id: nextId(), from: chatId, body: 'hola' }),
            messagesChange({
              contacts: [{ profile: { name: 'Cliente' }, wa_id: chatId }],
              messages: [
                {
                  from: chatId,
                  id: nextId(),
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'interactive',
                  interactive: { type: 'button_reply', button_reply: { id: 'consent.accept.1', title: 'Acepto' } },
                },
              ],
            }),
            textChange({ id: nextId(), from: chatId, body: text }),
          ];
          for (const step of steps) expect((await staffApp.inject(signedInject(step))).statusCode).toBe(200);
          const log = await staffApp.inject({ url: `/api/conversations/${chatId}/messages`, headers: auth });
          expect(log.statusCode).toBe(200);
          const texts = log.json().items.map((e: { text: string }) => e.text);
          expect(texts).toContain(text.toWellFormed());
          for (const stored of texts) expect(stored.isWellFormed()).toBe(true);
        }),
        { numRuns: 25 },
      );
    } finally {
      await staffApp.close();
      await conversational.close();
    }
  });
});

describe('POST /webhook statuses', () => {
  test('a status whose message id holds a lone surrogate is ignored, not stored; its error text is kept repaired', async () => {
    const status = (id: string) => ({
      id,
      status: 'failed',
      timestamp: '1763600000',
      recipient_id: '573001112233',
      errors: [{ code: 131026, title: `Undeliverable ${LONE}` }],
    });
    const res = await postSigned(messagesChange({ statuses: [status(`wamid.S1${LONE}`), status('wamid.S2')] }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ statuses: 1, ignored: 1 });
  });
});

describe('staff routes', () => {
  test('a chat id with a lone surrogate (its CESU-8 bytes) is a 400, never a 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/conversations/5730%ED%A0%BD/messages', headers: auth });
    expect(res.statusCode).toBe(400);
  });
});

describe('headers', () => {
  test('the queue dashboard and /docs may not be framed; every answer says nosniff', async () => {
    for (const url of ['/admin/queues', '/docs/']) {
      const page = await app.inject({ url, headers: auth });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['x-frame-options'], url).toBe('DENY');
      expect(page.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(page.headers['x-content-type-options'], url).toBe('nosniff');
    }
    for (const url of ['/health', '/admin/queues/api/queues', '/webhook']) {
      const res = await app.inject({ url, headers: auth });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });
});
