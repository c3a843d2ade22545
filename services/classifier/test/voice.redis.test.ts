import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { AccountRequest, InboundMessage, jobIds, OutboundMessage } from '@helpline/contracts';
import { metricValue, startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeLlmServer, startFakeLlmServer } from '@helpline/testkit/llm';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type ClassifierContext, createContext } from '../src/context.js';
import { answer, configFor, inbound, memoryLogger, uniquePrefix } from './support/index.js';

// The gateway's GET /api/media/:mediaId, stood in for by a real HTTP server that checks the
// operator token and serves one voice note.
const TOKEN = 'test-token-0123456789';
const MEDIA_ID = '1209348756120934';
const VOICE = randomBytes(2048);
// Over Gemini's 20 MB inline request once base64-encoded, under the gateway's 16 MiB.
const LONG_MEDIA_ID = '1209348756120935';
const LONG = Buffer.alloc(15_100_000, 7);
let gateway: Server;
let gatewayUrl: string;
const mediaRequests: { url: string; authorization: string | undefined }[] = [];
let redis: TestRedis;
let llm: FakeLlmServer;
const open: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  llm = await startFakeLlmServer();
  gateway = createServer((req: IncomingMessage, res) => {
    mediaRequests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    if (req.url === `/api/media/${LONG_MEDIA_ID}?channel=cloud`) {
      res.writeHead(200, { 'content-type': 'audio/ogg', 'content-length': LONG.length });
      res.end(LONG);
      return;
    }
    if (req.url === `/api/media/${MEDIA_ID}?channel=cloud`) {
      res.writeHead(200, { 'content-type': 'audio/ogg; codecs=opus', 'content-length': VOICE.length });
      res.end(VOICE);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"media_not_found","message":"x"}');
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}`;
});
afterEach(async () => {
  llm.reset();
  mediaRequests.length = 0;
  for (const x of open.splice(0).reverse()) await x.close();
});
afterAll(async () => {
  gateway.close();
  await llm.close();
  await redis.stop();
});

async function classifier(keys: ('openai' | 'gemini' | 'anthropic')[], env: Record<string, string> = {}) {
  const context: ClassifierContext = createContext(
    configFor(llm, { REDIS_URL: redis.url, GATEWAY_URL: gatewayUrl, ...env }, keys),
    { prefix: uniquePrefix(), logger: memoryLogger().logger },
  );
  open.push(context);
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  return context;
}

function voiceNote(mediaId = MEDIA_ID, mimeType = 'audio/ogg; codecs=opus') {
  return InboundMessage.parse(
    inbound({
      text: '',
      type: 'audio',
      media: { id: mediaId, mimeType, voice: true },
      customer: { consent: true, language: 'es' },
    }),
  );
}

async function reply(context: ClassifierContext, message: InboundMessage) {
  const job = await context.producers.outbound.queue.getJob(jobIds.outbound(message.correlationId, 'ack'));
  return OutboundMessage.parse(job?.data);
}

describe('voice notes', () => {
  test('OpenAI: downloaded through the gateway with the token, transcribed, handled as its words, the transcript sent back for the log', async () => {
    llm.enqueueTranscription({ kind: 'transcript', text: 'no tengo internet desde ayer' });
    llm.enqueue('openai', {
      kind: 'answer',
      answer: answer({ category: 'connectivity', priority: 'high', needsTicket: true, summary: 'Sin internet' }),
    });
    const context = await classifier(['openai']);
    const message = voiceNote();
    const result = await context.processInbound(message, undefined, context.logger);
    expect(result).toMatchObject({ routing: { action: 'diagnostics' } });
    expect(mediaRequests).toEqual([{ url: `/api/media/${MEDIA_ID}?channel=cloud`, authorization: `Bearer ${TOKEN}` }]);
    const [heard] = llm.transcriptions;
    expect(heard).toMatchObject({ model: 'gpt-4o-mini-transcribe', language: 'es', fileName: 'voice-note.ogg' });
    expect(heard?.file.equals(VOICE)).toBe(true);
    const prompt = llm.requestsFor('openai')[0]?.body as { messages: { content: string }[] };
    expect(prompt.messages[1]?.content).toContain('no tengo internet desde ayer');
    expect(prompt.messages[1]?.content).not.toContain('of type audio');
    const sent = await reply(context, message);
    expect(sent.meta?.transcript).toBe('no tengo internet desde ayer');
    const diag = (await context.producers.diagnostics.queue.getJobs(['waiting']))[0];
    expect((diag?.data as { reportedText?: string } | undefined)?.reportedText).toBe('no tengo internet desde ayer');
    const metrics = await context.metrics.registry.metrics();
    expect(metricValue(metrics, 'helpline_voice_notes_total', { provider: 'openai', outcome: 'transcribed' })).toBe(1);
  });

  test('OpenAI failing, Gemini transcribes with the audio as inline data', async () => {
    llm.enqueueTranscription({ kind: 'status', status: 500 });
    llm.enqueue('gemini', { kind: 'text', text: '¿hasta qué hora atienden?' });
    const context = await classifier(['openai', 'gemini']);
    const message = voiceNote();
    await context.processInbound(message, undefined, context.logger);
    const [transcription] = llm.requestsFor('gemini');
    const parts = (transcription?.body as { contents: { parts: Record<string, unknown>[] }[] } | undefined)?.contents[0]
      ?.parts;
    expect(parts?.[1]).toEqual({ inlineData: { mimeType: 'audio/ogg', data: VOICE.toString('base64') } });
    expect((await reply(context, message)).meta?.transcript).toBe('¿hasta qué hora atienden?');
  });

  test('Gemini transcribes with thinking off on 2.5 Flash (thoughts would share the MAX_TOKENS budget)', async () => {
    llm.enqueue('gemini', { kind: 'text', text: 'no tengo internet' });
    const context = await classifier(['gemini']);
    await context.processInbound(voiceNote(), undefined, context.logger);
    const body = llm.requestsFor('gemini')[0]?.body as { generationConfig: Record<string, unknown> };
    expect(body.generationConfig).toMatchObject({ maxOutputTokens: 500, thinkingConfig: { thinkingBudget: 0 } });
  });

  test('a Gemini transcript stopped at MAX_TOKENS is a failure naming the limit, not a clipped transcript', async () => {
    llm.enqueue('gemini', { kind: 'cut_off', text: 'buenas tardes, le escribo porque desde el' });
    const { logger, lines } = memoryLogger();
    const context = createContext(
      configFor(llm, { REDIS_URL: redis.url, GATEWAY_URL: gatewayUrl, GEMINI_THINKING_BUDGET: '-1' }, ['gemini']),
      { prefix: uniquePrefix(), logger },
    );
    open.push(context);
    const message = voiceNote();
    expect(await context.processInbound(message, undefined, context.logger)).toMatchObject({ voiceNote: 'failed' });
    const body = llm.requestsFor('gemini')[0]?.body as { generationConfig: Record<string, unknown> };
    expect(body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: -1 });
    const failed = lines().find((l) => l.msg === 'transcription failed');
    expect(failed?.err).toContain('output limit');
    expect(failed?.err).toContain('MAX_TOKENS');
    expect(JSON.stringify(lines())).not.toContain('desde el');
    expect((await reply(context, message)).meta?.transcript).toBeUndefined();
  });

  test('AMR audio, which OpenAI does not take: OpenAI is passed over before any call, Gemini transcribes', async () => {
    llm.enqueue('gemini', { kind: 'text', text: 'quiero cambiar de plan' });
    const context = await classifier(['openai', 'gemini']);
    const message = voiceNote(MEDIA_ID, 'audio/amr');
    await context.processInbound(message, undefined, context.logger);
    expect(llm.transcriptions).toHaveLength(0);
    const parts = (
      llm.requestsFor('gemini')[0]?.body as { contents: { parts: Record<string, unknown>[] }[] } | undefined
    )?.contents[0]?.parts;
    expect(parts?.[1]).toMatchObject({ inlineData: { mimeType: 'audio/amr' } });
    expect((await reply(context, message)).meta?.transcript).toBe('quiero cambiar de plan');
    const metrics = await context.metrics.registry.metrics();
    expect(metricValue(metrics, 'helpline_voice_notes_total', { provider: 'openai', outcome: 'unsupported' })).toBe(1);
  });

  test('audio too long for a Gemini inline request is not sent to Gemini; the next transcriber (OpenAI) takes it', async () => {
    const onlyGemini = await classifier(['gemini']);
    const long = voiceNote(LONG_MEDIA_ID);
    expect(await onlyGemini.processInbound(long, undefined, onlyGemini.logger)).toMatchObject({
      voiceNote: 'failed',
    });
    expect(llm.requestsFor('gemini')).toHaveLength(0);
    const metrics = await onlyGemini.metrics.registry.metrics();
    expect(metricValue(metrics, 'helpline_voice_notes_total', { provider: 'gemini', outcome: 'unsupported' })).toBe(1);

    llm.enqueueTranscription({ kind: 'transcript', text: 'una nota larga' });
    const both = await classifier(['gemini', 'openai'], { CLASSIFIER_PROVIDERS: 'gemini,openai' });
    const again = voiceNote(LONG_MEDIA_ID);
    await both.processInbound(again, undefined, both.logger);
    expect(llm.requestsFor('gemini').filter((r) => JSON.stringify(r.body).includes('inlineData'))).toHaveLength(0);
    expect(llm.transcriptions[0]?.file.length).toBe(LONG.length);
    expect((await reply(both, again)).meta?.transcript).toBe('una nota larga');
  });

  test('a voice note about the account goes to the accounts service with its transcript (for the log)', async () => {
    llm.enqueueTranscription({ kind: 'transcript', text: '¿cuánto debo este mes?' });
    llm.enqueue('openai', {
      kind: 'answer',
      answer: answer({ category: 'billing', needsTicket: false, summary: 'Pregunta su saldo' }),
    });
    const context = await classifier(['openai']);
    const message = voiceNote();
    expect(await context.processInbound(message, undefined, context.logger)).toMatchObject({
      routing: { action: 'accounts' },
    });
    const job = await context.producers.accounts?.queue.getJob(jobIds.accounts(message.correlationId, 'message'));
    expect(job?.data).toMatchObject({
      kind: 'message',
      text: '¿cuánto debo este mes?',
      transcript: '¿cuánto debo este mes?',
    });
    expect(AccountRequest.parse(job?.data)).toMatchObject({ transcript: '¿cuánto debo este mes?' });
  });

  test('without a provider that transcribes, the customer is asked to write; nothing is downloaded', async () => {
    const context = await classifier(['anthropic']);
    const message = voiceNote();
    const result = await context.processInbound(message, undefined, context.logger);
    expect(result).toMatchObject({ voiceNote: 'no_provider', routing: { action: 'ask_to_write' } });
    const sent = await reply(context, message);
    expect(sent.content).toMatchObject({ kind: 'text', body: expect.stringContaining('escribes tu mensaje') });
    expect(mediaRequests).toHaveLength(0);
    expect(llm.requests).toHaveLength(0);
  });

  test('a download the gateway refuses, or a transcriber that hears nothing: asked to write', async () => {
    const context = await classifier(['openai']);
    const missing = voiceNote('999');
    expect(await context.processInbound(missing, undefined, context.logger)).toMatchObject({ voiceNote: 'failed' });
    expect((await reply(context, missing)).content).toMatchObject({
      body: expect.stringContaining('No logramos entender tu nota de voz'),
    });
    llm.enqueueTranscription({ kind: 'transcript', text: '   ' });
    const silent = voiceNote();
    expect(await context.processInbound(silent, undefined, context.logger)).toMatchObject({ voiceNote: 'failed' });
  });

  test('a group voice note (Baileys media, not served by the gateway) is classified as before, not downloaded', async () => {
    const context = await classifier(['openai']);
    const message = InboundMessage.parse({
      ...voiceNote(),
      channel: 'group',
      chatId: '120363000000000001@g.us',
      from: '573001234567@s.whatsapp.net',
    });
    const result = await context.processInbound(message, undefined, context.logger);
    expect(result).toMatchObject({ routing: {} });
    expect(mediaRequests).toHaveLength(0);
    expect(llm.transcriptions).toHaveLength(0);
  });

  test('a transcriber that hangs is given up at CLASSIFIER_TIMEOUT_MS', async () => {
    llm.enqueueTranscription({ kind: 'hang' });
    const context = await classifier(['openai'], { CLASSIFIER_TIMEOUT_MS: '300' });
    const started = performance.now();
    const result = await context.processInbound(voiceNote(), undefined, context.logger);
    expect(result).toMatchObject({ voiceNote: 'failed' });
    // Well under the 2 s the other tests' config gives a call: the 300 ms deadline applied.
    expect(performance.now() - started).toBeLessThan(1_900);
  });
});
