import { type FakeLlmServer, type LlmBehaviour, type LlmProviderName, startFakeLlmServer } from '@helpline/testkit/llm';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { buildPrompt } from '../src/prompt/build-prompt.js';
import { createProviders } from '../src/providers/create-providers.js';
import { ANTHROPIC_TOOL_NAME } from '../src/providers/anthropic-provider.js';
import type { LlmProvider } from '../src/providers/provider.js';
import { ProviderFailure, type SkipReason } from '../src/providers/provider-failure.js';
import { answer, configFor } from './support/index.js';

// Request bodies are read as loosely as the fake server received them.
// biome-ignore lint/suspicious/noExplicitAny: JSON read back from the wire, asserted field by field
type Json = any;

let server: FakeLlmServer;
let providers: Record<LlmProviderName, LlmProvider>;
beforeAll(async () => {
  server = await startFakeLlmServer();
  const configured = createProviders(
    configFor(server, {
      OPENAI_MODEL: 'gpt-x',
      GEMINI_MODEL: 'gemini-x',
      ANTHROPIC_MODEL: 'claude-x',
      MAX_TOKENS: '300',
    }),
  );
  providers = Object.fromEntries(configured.map((c) => [c.name, c.provider])) as Record<LlmProviderName, LlmProvider>;
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
});

const prompt = buildPrompt({ text: 'me cobraron doble la factura, cédula 1.098.765.432' });
const NAMES: LlmProviderName[] = ['openai', 'gemini', 'anthropic'];

async function failureOf(name: LlmProviderName, behaviour: LlmBehaviour, timeoutMs = 2_000): Promise<ProviderFailure> {
  server.enqueue(name, behaviour);
  const error = await providers[name].classify(prompt, AbortSignal.timeout(timeoutMs)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderFailure);
  return error as ProviderFailure;
}

describe('each provider through its real SDK', () => {
  test.each(NAMES)('%s: a good answer is parsed and validated', async (name) => {
    const expected = answer({ entities: { ips: [], documentNumbers: ['1098765432'], ticketNumbers: [] } });
    server.enqueue(name, { kind: 'answer', answer: expected });
    const result = await providers[name].classify(prompt, AbortSignal.timeout(2_000));
    expect(result).toEqual(expected);
    expect(server.requestsFor(name)).toHaveLength(1);
  });

  test('OpenAI is asked for a strict JSON schema response, system and user apart', async () => {
    await providers.openai.classify(prompt, AbortSignal.timeout(2_000));
    const body = server.requestsFor('openai')[0]?.body as Json;
    expect(body.model).toBe('gpt-x');
    expect(body.max_completion_tokens).toBe(300);
    expect(body.temperature).toBe(0);
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.strict).toBe(true);
    const schema = body.response_format.json_schema.schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual([
      'category',
      'priority',
      'needsTicket',
      'summary',
      'language',
      'confidence',
      'entities',
    ]);
    expect(schema.properties.category.enum).toContain('connectivity');
    // Derived from the zod schema, in the portable subset: no string lengths, no $schema.
    expect(schema.properties.summary).toEqual({
      type: 'string',
      description: expect.stringContaining('200 characters'),
    });
    expect(schema.properties.confidence).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(JSON.stringify(schema)).not.toMatch(/minLength|maxLength|\$schema/);
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
    expect(body.messages[1].content).toContain('me cobraron doble');
  });

  test('Gemini is asked for application/json with the same schema', async () => {
    await providers.gemini.classify(prompt, AbortSignal.timeout(2_000));
    const request = server.requestsFor('gemini')[0];
    expect(request?.path).toBe('/v1beta/models/gemini-x:generateContent');
    const body = request?.body as Json;
    expect(body.generationConfig.responseMimeType).toBe('application/json');
    expect(body.generationConfig.responseJsonSchema.required).toContain('needsTicket');
    expect(body.generationConfig.responseJsonSchema.$schema).toBeUndefined();
    expect(body.generationConfig.maxOutputTokens).toBe(300);
    expect(JSON.stringify(body.systemInstruction)).toContain('connectivity');
  });

  test('Anthropic is forced to call the one classification tool', async () => {
    await providers.anthropic.classify(prompt, AbortSignal.timeout(2_000));
    const body = server.requestsFor('anthropic')[0]?.body as Json;
    expect(body.tool_choice).toEqual({ type: 'tool', name: ANTHROPIC_TOOL_NAME });
    expect(body.tools).toHaveLength(1);
    expect(body.tools[0].input_schema.properties.priority.enum).toEqual(['low', 'medium', 'high', 'urgent']);
    expect(body.max_tokens).toBe(300);
    expect(body.model).toBe('claude-x');
  });

  const modes: [string, LlmBehaviour, SkipReason][] = [
    ['429', { kind: 'status', status: 429 }, 'rate_limited'],
    ['500', { kind: 'status', status: 500 }, 'server_error'],
    ['529 overloaded', { kind: 'status', status: 529 }, 'server_error'],
    ['400', { kind: 'status', status: 400 }, 'bad_request'],
    ['422', { kind: 'status', status: 422 }, 'bad_request'],
    ['401', { kind: 'status', status: 401 }, 'auth_error'],
    ['403', { kind: 'status', status: 403 }, 'auth_error'],
    ['a malformed body', { kind: 'malformed_body' }, 'invalid_answer'],
    ['a malformed answer', { kind: 'malformed_answer' }, 'invalid_answer'],
    ['valid JSON of the wrong shape', { kind: 'wrong_shape' }, 'invalid_answer'],
    [
      'an answer with an extra field',
      { kind: 'wrong_shape', answer: answer({ urgentOverride: true }) },
      'invalid_answer',
    ],
    [
      'a summary over 200 characters',
      { kind: 'wrong_shape', answer: answer({ summary: 'x'.repeat(201) }) },
      'invalid_answer',
    ],
  ];
  for (const name of NAMES) {
    test.each(modes)(`${name}: %s is a failure with reason %s`, async (_label, behaviour, reason) => {
      const failure = await failureOf(name, behaviour);
      expect(failure.reason).toBe(reason);
      expect(failure.provider).toBe(name);
    });

    test(`${name}: a hanging provider is cut off by the call's signal and reported as a timeout`, async () => {
      const started = performance.now();
      const failure = await failureOf(name, { kind: 'hang' }, 200);
      expect(failure.reason).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(1_500);
    });
  }

  test.each(NAMES)(
    '%s: an answer stopped at the output limit is output_limit (a refusal, not counted by the breaker), naming MAX_TOKENS',
    async (name) => {
      const failure = await failureOf(name, { kind: 'cut_off', text: '{"category": "billing", "prio' });
      expect(failure.reason).toBe('output_limit');
      expect(failure.code).toBe('provider_refused');
      expect(failure.retryable).toBe(false);
      expect(failure.message).toContain('output limit');
      expect(failure.message).toContain('MAX_TOKENS=300');
    },
  );

  test('Gemini: thinking that took the whole budget (no text at all) is output_limit, the thoughts counted', async () => {
    const failure = await failureOf('gemini', { kind: 'cut_off', thoughtsTokens: 296 });
    expect(failure.reason).toBe('output_limit');
    expect(failure.message).toContain('finish reason MAX_TOKENS');
    expect(failure.message).toContain('296 of them thinking');
  });

  test('Gemini: a whole answer that happens to end at the limit is kept', async () => {
    const whole = answer();
    server.enqueue('gemini', { kind: 'cut_off', text: JSON.stringify(whole) });
    expect(await providers.gemini.classify(prompt, AbortSignal.timeout(2_000))).toEqual(whole);
  });

  test('Anthropic: no sampling parameters (the API version the SDK sends refuses them on every model)', async () => {
    await providers.anthropic.classify(prompt, AbortSignal.timeout(2_000));
    const request = server.requestsFor('anthropic')[0];
    expect(request?.headers['anthropic-version']).toBe('2026-10-21');
    expect(request?.body).not.toHaveProperty('temperature');
    expect(request?.body).not.toHaveProperty('top_p');
    expect(request?.body).not.toHaveProperty('top_k');
  });

  test('no SDK retries: one failing call is one request', async () => {
    for (const name of NAMES) await failureOf(name, { kind: 'status', status: 500 });
    expect(server.requests.map((r) => r.provider)).toEqual(NAMES);
  });
});

describe('Gemini thinking (GEMINI_THINKING_BUDGET)', () => {
  async function thinkingSent(env: Record<string, string>) {
    const [configured] = createProviders(configFor(server, { CLASSIFIER_PROVIDERS: 'gemini', ...env }, ['gemini']));
    await configured?.provider?.classify(prompt, AbortSignal.timeout(2_000));
    const body = server.requestsFor('gemini').at(-1)?.body as Json;
    return body.generationConfig.thinkingConfig;
  }

  test.each([
    ['gemini-2.5-flash (the default model): thinking off', {}, { thinkingBudget: 0 }],
    ['gemini-2.5-flash-lite: thinking off', { GEMINI_MODEL: 'gemini-2.5-flash-lite' }, { thinkingBudget: 0 }],
    ['gemini-2.5-pro, which cannot turn it off: nothing sent', { GEMINI_MODEL: 'gemini-2.5-pro' }, undefined],
    [
      'a Gemini 3 model (thinkingLevel, not a budget): nothing sent',
      { GEMINI_MODEL: 'gemini-3-flash-preview' },
      undefined,
    ],
    [
      'set on a Pro model: sent as given',
      { GEMINI_MODEL: 'gemini-2.5-pro', GEMINI_THINKING_BUDGET: '1024' },
      { thinkingBudget: 1024 },
    ],
    ['-1 on Flash: the model decides', { GEMINI_THINKING_BUDGET: '-1' }, { thinkingBudget: -1 }],
  ])('%s', async (_label, env, expected) => {
    expect(await thinkingSent(env)).toEqual(expected);
  });
});
