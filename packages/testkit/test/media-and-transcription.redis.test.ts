import { randomBytes } from 'node:crypto';
import { GoogleGenAI } from '@google/genai';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeLlmServer, startFakeLlmServer } from '../src/llm/index.js';
import { type FakeGraphApi, startFakeGraphApi } from '../src/meta-graph/index.js';

// The fakes' voice-note side, driven by the real SDKs and by fetch as the gateway uses it.

let llm: FakeLlmServer;
let graph: FakeGraphApi;
beforeAll(async () => {
  llm = await startFakeLlmServer();
  graph = await startFakeGraphApi({ accessToken: 'tok', phoneNumberId: '106540352242922' });
});
afterAll(async () => {
  await llm.close();
  await graph.close();
});

describe('fake LLM server: transcription', () => {
  test("OpenAI's SDK uploads the audio as multipart and gets the transcript; the form is recorded", async () => {
    llm.enqueueTranscription({ kind: 'transcript', text: 'no tengo internet' });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: llm.baseUrl('openai'), maxRetries: 0 });
    const audio = randomBytes(1500);
    const result = await client.audio.transcriptions.create({
      file: await toFile(audio, 'voice-note.ogg', { type: 'audio/ogg' }),
      model: 'gpt-4o-mini-transcribe',
      language: 'es',
    });
    expect(result.text).toBe('no tengo internet');
    const [form] = llm.transcriptions;
    expect(form).toMatchObject({ model: 'gpt-4o-mini-transcribe', language: 'es', fileName: 'voice-note.ogg' });
    expect(form?.file.equals(audio)).toBe(true);
  });

  test('an error status reaches the SDK as its own error class', async () => {
    llm.enqueueTranscription({ kind: 'status', status: 429 });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: llm.baseUrl('openai'), maxRetries: 0 });
    await expect(
      client.audio.transcriptions.create({
        file: await toFile(Buffer.from('x'), 'a.ogg', { type: 'audio/ogg' }),
        model: 'whisper-1',
      }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  test('Gemini with audio as inline data gets a plain-text answer', async () => {
    llm.enqueue('gemini', { kind: 'text', text: 'hasta qué hora atienden' });
    const client = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: llm.baseUrl('gemini') } });
    const response = await client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Transcribe' }, { inlineData: { mimeType: 'audio/ogg', data: 'AAAA' } }] },
      ],
    });
    expect(response.text).toBe('hasta qué hora atienden');
  });
});

describe('fake Graph API: media', () => {
  test('GET /{media-id} gives a short-lived URL with the size and type; the URL needs the token', async () => {
    const bytes = randomBytes(800);
    const id = graph.addMedia({ bytes, mimeType: 'audio/ogg; codecs=opus' });
    const auth = { authorization: 'Bearer tok' };
    const meta = await fetch(`${graph.url}/v26.0/${id}?phone_number_id=106540352242922`, { headers: auth });
    expect(meta.status).toBe(200);
    const body = (await meta.json()) as Record<string, string>;
    expect(body).toMatchObject({
      messaging_product: 'whatsapp',
      mime_type: 'audio/ogg; codecs=opus',
      file_size: '800',
      id,
    });
    expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const download = await fetch(body.url ?? '', { headers: auth });
    expect(download.headers.get('content-type')).toBe('audio/ogg; codecs=opus');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(body.url ?? '')).status).toBe(401);
  });

  test('an unknown id is Graph error 100; an expired URL is a 404', async () => {
    const unknown = await fetch(`${graph.url}/v26.0/5550001112223`, { headers: { authorization: 'Bearer tok' } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(100);
    const id = graph.addMedia({ bytes: Buffer.from('x'), mimeType: 'audio/ogg', urlTtlMs: -1 });
    const meta = (await (
      await fetch(`${graph.url}/v26.0/${id}`, { headers: { authorization: 'Bearer tok' } })
    ).json()) as {
      url: string;
    };
    expect((await fetch(meta.url, { headers: { authorization: 'Bearer tok' } })).status).toBe(404);
  });
});
