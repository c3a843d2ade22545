import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_LLM_ANSWER, type FakeLlmServer, startFakeLlmServer } from '../src/llm/index.js';

// The fake is only worth something if the real SDKs accept what it says: each test here
// drives one of them through its base URL.

let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
});

const answer = { ...DEFAULT_LLM_ANSWER, category: 'billing', summary: 'Double charge on the invoice' };

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: server.baseUrl('openai'), maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.baseUrl('anthropic'), maxRetries: 0 });
const gemini = () =>
  new GoogleGenAI({
    apiKey: 'g-test',
    httpOptions: { baseUrl: server.baseUrl('gemini'), retryOptions: { attempts: 1 } },
  });

const askOpenAi = (signal?: AbortSignal) =>
  openai().chat.completions.create(
    { model: 'gpt-test', messages: [{ role: 'user', content: 'hola' }] },
    signal ? { signal } : {},
  );
const askAnthropic = () =>
  anthropic().messages.create({
    model: 'claude-test',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'hola' }],
    tools: [{ name: 'record_classification', input_schema: { type: 'object', properties: {} } }],
    tool_choice: { type: 'tool', name: 'record_classification' },
  });
const askGemini = (abortSignal?: AbortSignal) =>
  gemini().models.generateContent({
    model: 'gemini-test',
    contents: 'hola',
    config: { responseMimeType: 'application/json', abortSignal },
  });

describe('fake LLM server, driven by the real SDKs', () => {
  test('OpenAI: the answer comes back as message content and the request is recorded', async () => {
    server.enqueue('openai', { kind: 'answer', answer });
    const completion = await askOpenAi();
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual(answer);
    const [recorded] = server.requestsFor('openai');
    expect(recorded?.path).toBe('/v1/chat/completions');
    expect(recorded?.model).toBe('gpt-test');
    expect(recorded?.headers.authorization).toBe('Bearer sk-test');
  });

  test('Gemini: the answer comes back as candidate text; the model is read from the path', async () => {
    server.enqueue('gemini', { kind: 'answer', answer });
    const result = await askGemini();
    expect(JSON.parse(result.text ?? '')).toEqual(answer);
    const [recorded] = server.requestsFor('gemini');
    expect(recorded?.path).toBe('/v1beta/models/gemini-test:generateContent');
    expect(recorded?.model).toBe('gemini-test');
    expect(recorded?.headers['x-goog-api-key']).toBe('g-test');
  });

  test('Anthropic: the answer comes back as the forced tool call, named as the request asked', async () => {
    server.enqueue('anthropic', { kind: 'answer', answer });
    const message = await askAnthropic();
    const block = message.content[0];
    expect(block?.type).toBe('tool_use');
    if (block?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(block.name).toBe('record_classification');
    expect(block.input).toEqual(answer);
    // SDK 1.x sends the key as a bearer token (older ones used x-api-key).
    const headers = server.requestsFor('anthropic')[0]?.headers;
    expect(headers?.['x-api-key'] ?? headers?.authorization).toMatch(/^(Bearer )?sk-ant-test$/);
  });

  test.each([
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
    [400, OpenAI.BadRequestError],
    [401, OpenAI.AuthenticationError],
  ])('OpenAI: status %i becomes the SDK error class', async (status, errorClass) => {
    server.enqueue('openai', { kind: 'status', status });
    const error = await askOpenAi().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as { status: number }).status).toBe(status);
  });

  test('Anthropic: 529 is an overloaded error', async () => {
    server.enqueue('anthropic', { kind: 'status', status: 529 });
    const error = await askAnthropic().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as { status: number }).status).toBe(529);
    expect((error as { error?: { error?: { type?: string } } }).error?.error?.type).toBe('overloaded_error');
  });

  test('Gemini: 429 is an ApiError with its status', async () => {
    server.enqueue('gemini', { kind: 'status', status: 429 });
    const error = await askGemini().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
  });

  test('hang: held until the client aborts, then released', async () => {
    server.enqueue('openai', { kind: 'hang' });
    server.enqueue('gemini', { kind: 'hang' });
    const started = performance.now();
    const openaiError = await askOpenAi(AbortSignal.timeout(150)).catch((e: unknown) => e);
    const geminiError = await askGemini(AbortSignal.timeout(150)).catch((e: unknown) => e);
    expect(openaiError).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(geminiError).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.requestsFor('openai')[0]?.behaviour).toBe('hang');
    // The server notices the closed sockets and lets go of the held answers.
    for (let i = 0; i < 50 && server.hanging > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.hanging).toBe(0);
  });

  test('malformed body: the SDK cannot parse it', async () => {
    server.enqueue('openai', { kind: 'malformed_body' });
    await expect(askOpenAi()).rejects.toThrow();
  });

  test('malformed answer and wrong shape: a well-formed envelope around a bad answer', async () => {
    server.enqueue('openai', { kind: 'malformed_answer' }, { kind: 'wrong_shape' });
    const malformed = await askOpenAi();
    expect(() => JSON.parse(malformed.choices[0]?.message.content ?? '')).toThrow();
    const wrong = await askOpenAi();
    expect(JSON.parse(wrong.choices[0]?.message.content ?? '')).toMatchObject({ category: 'urgent_thing' });

    server.enqueue('anthropic', { kind: 'malformed_answer' });
    const text = await askAnthropic();
    expect(text.content[0]?.type).toBe('text');
  });

  test('cut off at the output limit: each API says so in its own finish reason', async () => {
    server.enqueue('gemini', { kind: 'cut_off', thoughtsTokens: 480 }, { kind: 'cut_off', text: '{"category": "bil' });
    const thoughtOnly = await askGemini();
    expect(thoughtOnly.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(thoughtOnly.candidates?.[0]?.content?.parts).toBeUndefined();
    expect(thoughtOnly.text).toBeUndefined();
    expect(thoughtOnly.usageMetadata?.thoughtsTokenCount).toBe(480);
    const partial = await askGemini();
    expect(partial.text).toBe('{"category": "bil');
    expect(partial.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');

    server.enqueue('openai', { kind: 'cut_off', text: '{"category"' });
    const completion = await askOpenAi();
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.choices[0]?.message.content).toBe('{"category"');

    server.enqueue('anthropic', { kind: 'cut_off' });
    const message = await askAnthropic();
    expect(message.stop_reason).toBe('max_tokens');
    expect(server.requests.map((r) => r.behaviour)).toEqual(['cut_off', 'cut_off', 'cut_off', 'cut_off']);
  });

  test('Gemini: the generation config is recorded as sent (thinking budget included)', async () => {
    await gemini().models.generateContent({
      model: 'gemini-test',
      contents: 'hola',
      config: { maxOutputTokens: 300, thinkingConfig: { thinkingBudget: 0 } },
    });
    const body = server.requestsFor('gemini')[0]?.body as { generationConfig?: Record<string, unknown> };
    expect(body.generationConfig).toMatchObject({ maxOutputTokens: 300, thinkingConfig: { thinkingBudget: 0 } });
  });

  test('queued behaviours run in order, then the default; setDefault changes it', async () => {
    server.enqueue('openai', { kind: 'status', status: 500 });
    await expect(askOpenAi()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const fallback = await askOpenAi();
    expect(JSON.parse(fallback.choices[0]?.message.content ?? '')).toEqual(DEFAULT_LLM_ANSWER);
    server.setDefault('openai', { kind: 'status', status: 503 });
    await expect(askOpenAi()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(server.requestsFor('openai').map((r) => r.behaviour)).toEqual(['status', 'answer', 'status']);
  });

  test('an unknown path is a 404', async () => {
    const response = await fetch(`${server.url}/v2/unknown`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
