import { once } from 'node:events';
import { createProducer } from '@helpline/runtime';
import { describe, expect } from 'vitest';
import { buildApp } from '../src/app.js';
import { type ClassifierContext, createContext } from '../src/context.js';
import { answer, configFor, inbound, memoryLogger, metricValue, uniquePrefix } from './support/index.js';
import { type ClassifierBed, classifierTest as test } from './support/fixtures.js';

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

async function appWith(
  bed: ClassifierBed,
  keys: ('openai' | 'gemini' | 'anthropic')[] = ['openai', 'gemini', 'anthropic'],
  env: Record<string, string> = {},
) {
  const context: ClassifierContext = createContext(configFor(bed.llm, { REDIS_URL: bed.redis.url, ...env }, keys), {
    prefix: uniquePrefix(),
    logger: memoryLogger().logger,
  });
  bed.open.push(context);
  // The producer connection refuses commands until it is connected (no offline queue).
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  const app = await buildApp(context);
  bed.open.push(app);
  return { app, context };
}

describe('POST /classify', () => {
  test("the existing deployments' body: classification, the provider that answered, the providers passed over, the time", async ({
    bed,
  }) => {
    bed.llm.enqueue('openai', { kind: 'status', status: 500 });
    bed.llm.enqueue('gemini', {
      kind: 'answer',
      answer: answer({ category: 'connectivity', priority: 'high', summary: 'Sin internet' }),
    });
    const { app } = await appWith(bed);
    const response = await app.inject({
      method: 'POST',
      url: '/classify',
      headers: auth,
      payload: {
        message: {
          id: 'msg-1',
          text: 'no tengo internet',
          from_user: 'Laura',
          timestamp: '2026-03-02T14:00:00Z',
          group_id: null,
          has_media: false,
          message_type: 'text',
        },
      },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.provider).toBe('gemini');
    expect(body.classification).toMatchObject({
      category: 'connectivity',
      priority: 'high',
      source: 'gemini',
      summary: 'Sin internet',
    });
    expect(body.attempts).toEqual([
      {
        provider: 'openai',
        outcome: 'passed_over',
        reason: 'server_error',
        durationMs: expect.any(Number),
        detail: expect.stringContaining('500'),
      },
      { provider: 'gemini', outcome: 'answered', durationMs: expect.any(Number) },
    ]);
    expect(body.durationMs).toBeGreaterThan(0);
    const sent = bed.llm.requestsFor('openai')[0]?.body as { messages: { content: string }[] };
    expect(sent.messages[1]?.content).toContain('no tengo internet');
  });

  test('a plain {"text"} body, answered by keywords when no provider has a key', async ({ bed }) => {
    const { app } = await appWith(bed, []);
    const response = await app.inject({
      method: 'POST',
      url: '/classify',
      headers: auth,
      payload: { text: 'quiero hablar con un asesor' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.provider).toBe('keywords');
    expect(body.classification).toMatchObject({ category: 'human', source: 'keywords', language: 'es' });
    expect(body.attempts.map((a: { reason: string }) => a.reason)).toEqual(['no_key', 'no_key', 'no_key']);
  });

  test('a legacy media message without text (null): keywords answer `other` with low confidence', async ({ bed }) => {
    const { app } = await appWith(bed, []);
    const response = await app.inject({
      method: 'POST',
      url: '/classify',
      headers: auth,
      payload: {
        message: {
          id: 'msg-2',
          text: null,
          from_user: 'Laura',
          group_id: null,
          has_media: true,
          message_type: 'image',
        },
      },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.provider).toBe('keywords');
    expect(body.classification).toMatchObject({
      category: 'other',
      confidence: 0.2,
      needsTicket: false,
      summary: 'Consulta: mensaje sin texto',
    });
  });

  test('a legacy media message without text (absent): the LLM is told it has no text and what type it is', async ({
    bed,
  }) => {
    bed.llm.enqueue('openai', {
      kind: 'answer',
      answer: answer({ category: 'other', priority: 'low', needsTicket: false }),
    });
    const { app } = await appWith(bed, ['openai']);
    const response = await app.inject({
      method: 'POST',
      url: '/classify',
      headers: auth,
      payload: { message: { has_media: true, message_type: 'audio' } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().provider).toBe('openai');
    const sent = bed.llm.requestsFor('openai')[0]?.body as { messages: { content: string }[] };
    expect(sent.messages[1]?.content).toContain('(no text)');
    expect(sent.messages[1]?.content).toContain('The message is of type audio.');
  });

  test('a legacy media message with a caption is classified by its caption', async ({ bed }) => {
    const { app } = await appWith(bed, []);
    const response = await app.inject({
      method: 'POST',
      url: '/classify',
      headers: auth,
      payload: { message: { text: 'me cobraron doble, adjunto el recibo', has_media: true, message_type: 'image' } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().classification).toMatchObject({ category: 'billing', source: 'keywords' });
  });

  test.for([
    [{}, 'body.text'],
    [{ text: 42 }, 'body.text'],
    [{ message: { id: 'x' } }, 'body.message.text'],
    [{ message: { id: 'x', text: null } }, 'body.message.text'],
    [{ message: { id: 'x', text: null, has_media: false } }, 'body.message.text'],
    [{ message: { text: 'hola', has_media: 'yes' } }, 'body.message.has_media'],
    [{ text: 'hola', history: [{ role: 'robot', text: 'x', at: '2026-03-02T14:00:00Z' }] }, 'body.history.0.role'],
  ] as const)('a bad body %j is a 400 naming %s', async ([payload, field], { bed }) => {
    const { app } = await appWith(bed, []);
    const response = await app.inject({ method: 'POST', url: '/classify', headers: auth, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'bad_request' });
    expect(response.json().message).toContain(field);
  });

  test('malformed JSON is a 400', async ({ bed }) => {
    const { app } = await appWith(bed, []);
    const response = await app.inject({
      method: 'POST',
      url: '/classify',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"text": ',
    });
    expect(response.statusCode).toBe(400);
  });

  test('the bearer token is required', async ({ bed }) => {
    const { app } = await appWith(bed, []);
    expect((await app.inject({ method: 'POST', url: '/classify', payload: { text: 'hola' } })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'POST',
      url: '/classify',
      headers: { authorization: 'Bearer nope-nope-nope-nope' },
      payload: { text: 'hola' },
    });
    expect(wrong.statusCode).toBe(401);
  });
});

describe('/health and /metrics', () => {
  test('with no keys: degraded, naming the variables, while Redis is ok', async ({ bed }) => {
    const { app } = await appWith(bed, []);
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe('degraded');
    expect(body.checks.redis.status).toBe('ok');
    expect(body.checks.providers.message).toContain('OPENAI_API_KEY, GOOGLE_API_KEY, ANTHROPIC_API_KEY');
    expect(body.checks.providers.details.openai).toEqual({ configured: false, missing: 'OPENAI_API_KEY' });
  });

  test("with keys: ok, each provider's model and breaker shown; a refused key turns it degraded", async ({ bed }) => {
    const { app } = await appWith(bed, ['openai', 'anthropic'], { ANTHROPIC_MODEL: 'claude-test' });
    const ok = (await app.inject({ method: 'GET', url: '/health' })).json();
    expect(ok.status).toBe('ok');
    expect(ok.checks.providers.details.anthropic).toEqual({
      configured: true,
      model: 'claude-test',
      breaker: 'closed',
    });

    bed.llm.enqueue('openai', { kind: 'status', status: 401 });
    await app.inject({ method: 'POST', url: '/classify', headers: auth, payload: { text: 'hola' } });
    const degraded = (await app.inject({ method: 'GET', url: '/health' })).json();
    expect(degraded.status).toBe('degraded');
    expect(degraded.checks.providers.message).toContain('OPENAI_API_KEY was refused by openai (401)');
  });

  test('metrics: classifications by source and category, fallbacks by provider and reason, latency, breaker state', async ({
    bed,
  }) => {
    bed.llm.enqueue('openai', { kind: 'status', status: 429 });
    const { app } = await appWith(bed, ['openai', 'gemini'], { CLASSIFIER_PROVIDERS: 'anthropic,openai,gemini' });
    await app.inject({ method: 'POST', url: '/classify', headers: auth, payload: { text: 'hola' } });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(text, 'helpline_classifications_total', { source: 'gemini', category: 'other' })).toBe(1);
    expect(
      metricValue(text, 'helpline_classifier_fallbacks_total', { provider: 'openai', reason: 'rate_limited' }),
    ).toBe(1);
    expect(metricValue(text, 'helpline_classifier_fallbacks_total', { provider: 'anthropic', reason: 'no_key' })).toBe(
      1,
    );
    expect(
      metricValue(text, 'helpline_classifier_provider_duration_seconds_count', {
        provider: 'openai',
        outcome: 'rate_limited',
      }),
    ).toBe(1);
    expect(metricValue(text, 'helpline_circuit_state', { breaker: 'gemini' })).toBe(0);
  });

  test('metrics: the depth of `inbound`, the queue this service consumes, read at scrape time', async ({ bed }) => {
    const { app, context } = await appWith(bed, []);
    const empty = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(empty, 'helpline_queue_jobs', { queue: 'inbound', state: 'waiting' })).toBe(0);

    // What the gateway would enqueue; no worker runs here, so the jobs wait.
    const gateway = createProducer('inbound', { connection: context.redis('producer'), prefix: context.prefix });
    bed.open.push(gateway);
    for (const message of [inbound(), inbound()]) await gateway.add(message, { jobId: message.id });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(text, 'helpline_queue_jobs', { queue: 'inbound', state: 'waiting' })).toBe(2);
    expect(metricValue(text, 'helpline_queue_jobs', { queue: 'inbound', state: 'failed' })).toBe(0);
    expect(metricValue(text, 'helpline_queue_oldest_waiting_seconds', { queue: 'inbound' })).toBeGreaterThanOrEqual(0);
  });
});
