import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The three wire formats this server speaks. */
export type LlmProviderName = 'openai' | 'gemini' | 'anthropic';
export const LLM_PROVIDER_NAMES: readonly LlmProviderName[] = ['openai', 'gemini', 'anthropic'];

/**
 * What one provider does with the next request:
 * - `answer`: a well-formed answer carrying `answer` (an object; the classifier's JSON), as
 *   message content (OpenAI), candidate text (Gemini) or a forced tool call's input
 *   (Anthropic), optionally after `delayMs`;
 * - `status`: an error answer in the provider's own error shape (429, 500, 529, 400, 401...);
 * - `hang`: accept the request and never answer, until the client gives up and closes;
 * - `malformed_body`: HTTP 200 with a body that is not JSON at all;
 * - `malformed_answer`: a well-formed envelope whose answer text is not JSON (Anthropic: a
 *   text block instead of the forced tool call);
 * - `wrong_shape`: valid JSON of the wrong shape (unknown category, missing fields).
 */
export type LlmBehaviour =
  | { kind: 'answer'; answer: Record<string, unknown>; delayMs?: number }
  | { kind: 'status'; status: number; message?: string }
  | { kind: 'hang' }
  | { kind: 'malformed_body' }
  | { kind: 'malformed_answer' }
  | { kind: 'wrong_shape'; answer?: Record<string, unknown> }
  /** Plain text as the answer (Gemini transcribing audio: the words, not JSON). */
  | { kind: 'text'; text: string; delayMs?: number }
  /**
   * The answer stopped at the request's output limit: Gemini's finish reason `MAX_TOKENS`,
   * OpenAI's `length`, Anthropic's `max_tokens`, with `text` as far as it got (Anthropic: a
   * text block). No `text`: nothing at all, as when Gemini's thinking took the whole budget
   * (its candidate then has no parts; `thoughtsTokens` is reported in its usage).
   */
  | { kind: 'cut_off'; text?: string; thoughtsTokens?: number };

/** What OpenAI's `/v1/audio/transcriptions` does with the next request. */
export type TranscriptionBehaviour =
  | { kind: 'transcript'; text: string; delayMs?: number }
  | { kind: 'status'; status: number; message?: string }
  | { kind: 'hang' };

/** The multipart form of a transcription request, as received. */
export interface RecordedTranscription {
  model: string | undefined;
  language: string | undefined;
  fileName: string | undefined;
  fileType: string | undefined;
  file: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface RecordedLlmRequest {
  provider: LlmProviderName;
  method: string;
  path: string;
  /** Gemini: the model named in the path; OpenAI and Anthropic: `model` from the body. */
  model: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** `performance.now()` when the request's body had arrived, for latency measurements. */
  receivedAt: number;
  /** What the server did with it. */
  behaviour: LlmBehaviour['kind'];
}

export interface FakeLlmServer {
  /** `http://127.0.0.1:<port>`, without a path. */
  readonly url: string;
  /** Base URL each SDK expects: OpenAI's includes `/v1`, Gemini's and Anthropic's do not. */
  baseUrl(provider: LlmProviderName): string;
  /** Every request so far, oldest first. */
  readonly requests: readonly RecordedLlmRequest[];
  requestsFor(provider: LlmProviderName): RecordedLlmRequest[];
  /** Queue behaviours for the provider's next requests, one per request, in order. */
  enqueue(provider: LlmProviderName, ...behaviours: LlmBehaviour[]): void;
  /** What the provider does once its queue is empty (initially: answer with the default answer). */
  setDefault(provider: LlmProviderName, behaviour: LlmBehaviour): void;
  /** Empty every queue, restore the defaults, forget recorded requests. */
  reset(): void;
  /** Queue behaviours for the next `/v1/audio/transcriptions` requests (default: transcript "hola"). */
  enqueueTranscription(...behaviours: TranscriptionBehaviour[]): void;
  /** Every transcription request so far, oldest first. */
  readonly transcriptions: readonly RecordedTranscription[];
  /** Requests being held by `hang` right now. */
  readonly hanging: number;
  close(): Promise<void>;
}

/** A plausible classification: what a model answers when a test does not say otherwise. */
export const DEFAULT_LLM_ANSWER: Readonly<Record<string, unknown>> = Object.freeze({
  category: 'other',
  priority: 'low',
  needsTicket: false,
  summary: 'General enquiry',
  language: 'es',
  confidence: 0.7,
  entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
});

const WRONG_SHAPE: Record<string, unknown> = {
  category: 'urgent_thing',
  priority: 'asap',
  verdict: 'mark this urgent',
};

interface Route {
  provider: LlmProviderName;
  model: string | undefined;
}

function route(method: string, path: string): Route | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/v1/chat/completions') return { provider: 'openai', model: undefined };
  if (path === '/v1/messages') return { provider: 'anthropic', model: undefined };
  const gemini = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path);
  if (gemini) return { provider: 'gemini', model: decodeURIComponent(gemini[1] ?? '') };
  return undefined;
}

// Each provider's error body, as its API documents it, so each SDK builds its own error
// class (OpenAI's RateLimitError, Anthropic's OverloadedError, Gemini's ApiError).
function errorBody(provider: LlmProviderName, status: number, message: string): unknown {
  if (provider === 'openai') {
    const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    return { error: { message, type, param: null, code: null } };
  }
  if (provider === 'anthropic') {
    const type =
      status === 529
        ? 'overloaded_error'
        : status === 429
          ? 'rate_limit_error'
          : status === 401
            ? 'authentication_error'
            : status === 403
              ? 'permission_error'
              : status >= 500
                ? 'api_error'
                : 'invalid_request_error';
    return { type: 'error', error: { type, message } };
  }
  const googleStatus: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
  };
  return { error: { code: status, message, status: googleStatus[status] ?? 'UNKNOWN' } };
}

function forcedToolName(body: unknown): string {
  const choice = (body as { tool_choice?: { name?: unknown } } | undefined)?.tool_choice;
  if (typeof choice?.name === 'string') return choice.name;
  const tools = (body as { tools?: { name?: unknown }[] } | undefined)?.tools;
  return typeof tools?.[0]?.name === 'string' ? tools[0].name : 'answer';
}

/** The success envelope of each API around `text` (OpenAI, Gemini) or `toolInput` (Anthropic). */
function successBody(
  provider: LlmProviderName,
  model: string,
  request: unknown,
  content: { text: string } | { toolInput: unknown },
  cut?: { thoughtsTokens?: number },
): unknown {
  if (provider === 'openai') {
    const text = 'text' in content ? content.text : JSON.stringify(content.toolInput);
    return {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: cut ? 'length' : 'stop',
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 },
    };
  }
  if (provider === 'gemini') {
    const text = 'text' in content ? content.text : JSON.stringify(content.toolInput);
    const thoughts = cut?.thoughtsTokens ?? 0;
    return {
      candidates: [
        {
          // Gemini leaves `parts` out when nothing but thinking was generated.
          content: text === '' && cut ? { role: 'model' } : { parts: [{ text }], role: 'model' },
          finishReason: cut ? 'MAX_TOKENS' : 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 100,
        candidatesTokenCount: 40,
        totalTokenCount: 140 + thoughts,
        ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
      },
      modelVersion: model,
      responseId: randomUUID(),
    };
  }
  const block =
    'text' in content
      ? { type: 'text', text: content.text }
      : {
          type: 'tool_use',
          id: `toolu_${randomUUID().replaceAll('-', '')}`,
          name: forcedToolName(request),
          input: content.toolInput,
        };
  return {
    id: `msg_${randomUUID().replaceAll('-', '')}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [block],
    stop_reason: cut ? 'max_tokens' : 'text' in content ? 'end_turn' : 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 40 },
  };
}

async function readBytes(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The parts of a multipart/form-data body: name, optional file name and type, bytes. */
function multipartParts(body: Buffer, contentType: string | undefined) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const marker = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ''}`);
  const parts: { name: string; fileName?: string; type?: string; data: Buffer }[] = [];
  if (marker.length <= 2) return parts;
  let start = body.indexOf(marker);
  while (start !== -1) {
    const next = body.indexOf(marker, start + marker.length);
    if (next === -1) break;
    const part = body.subarray(start + marker.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const fileName = /filename="([^"]*)"/.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    parts.push({ name, ...(fileName ? { fileName } : {}), ...(type ? { type } : {}), data: part.subarray(split + 4) });
    start = next;
  }
  return parts;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * One real HTTP server on 127.0.0.1 and a random port speaking OpenAI's chat completions
 * and audio transcriptions, Gemini's generateContent and Anthropic's messages wire formats, so the real SDKs can be
 * pointed at it through their base URL. Each provider's behaviour is scripted per test and
 * every request is recorded.
 */
export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const queues = new Map<LlmProviderName, LlmBehaviour[]>();
  const defaults = new Map<LlmProviderName, LlmBehaviour>();
  const requests: RecordedLlmRequest[] = [];
  const hung = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const transcriptionQueue: TranscriptionBehaviour[] = [];
  const transcriptions: RecordedTranscription[] = [];

  // OpenAI's transcription endpoint: multipart in, `{"text": ...}` out (response_format json).
  const transcribe = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readBytes(request);
    const parts = multipartParts(raw, request.headers['content-type']);
    const field = (name: string) => parts.find((p) => p.name === name);
    const file = field('file');
    transcriptions.push({
      model: field('model')?.data.toString('utf8'),
      language: field('language')?.data.toString('utf8'),
      fileName: file?.fileName,
      fileType: file?.type,
      file: file?.data ?? Buffer.alloc(0),
      headers: { ...request.headers },
    });
    const behaviour = transcriptionQueue.shift() ?? { kind: 'transcript', text: 'hola' };
    if (behaviour.kind === 'hang') {
      hung.add(response);
      response.once('close', () => hung.delete(response));
      return;
    }
    if (behaviour.kind === 'status') {
      sendJson(
        response,
        behaviour.status,
        errorBody('openai', behaviour.status, behaviour.message ?? `fake ${behaviour.status}`),
      );
      return;
    }
    if (!file || !field('model')) {
      sendJson(response, 400, errorBody('openai', 400, 'file and model are required'));
      return;
    }
    const send = () => sendJson(response, 200, { text: behaviour.text, usage: { type: 'duration', seconds: 3 } });
    if (behaviour.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) send();
      }, behaviour.delayMs);
      timers.add(timer);
    } else send();
  };

  const restoreDefaults = (): void => {
    for (const name of LLM_PROVIDER_NAMES) {
      queues.set(name, []);
      defaults.set(name, { kind: 'answer', answer: { ...DEFAULT_LLM_ANSWER } });
    }
  };
  restoreDefaults();

  const next = (provider: LlmProviderName): LlmBehaviour =>
    queues.get(provider)?.shift() ?? defaults.get(provider) ?? { kind: 'status', status: 500 };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'POST' && path === '/v1/audio/transcriptions') return transcribe(request, response);
    const found = route(request.method ?? 'GET', path);
    const raw = (await readBytes(request)).toString('utf8');
    if (!found) {
      sendJson(response, 404, { error: { message: `fake LLM server: no route for ${request.method} ${path}` } });
      return;
    }
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      sendJson(response, 400, errorBody(found.provider, 400, 'request body is not JSON'));
      return;
    }
    const model =
      found.model ??
      (typeof (body as { model?: unknown })?.model === 'string' ? (body as { model: string }).model : undefined);
    const behaviour = next(found.provider);
    requests.push({
      provider: found.provider,
      method: request.method ?? 'POST',
      path,
      model,
      headers: { ...request.headers },
      body,
      receivedAt: performance.now(),
      behaviour: behaviour.kind,
    });
    const modelName = model ?? 'fake-model';

    switch (behaviour.kind) {
      case 'answer': {
        const send = (): void => {
          const content =
            found.provider === 'anthropic'
              ? { toolInput: behaviour.answer }
              : { text: JSON.stringify(behaviour.answer) };
          sendJson(response, 200, successBody(found.provider, modelName, body, content));
        };
        if (behaviour.delayMs) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!response.destroyed) send();
          }, behaviour.delayMs);
          timers.add(timer);
        } else send();
        return;
      }
      case 'status':
        sendJson(
          response,
          behaviour.status,
          errorBody(found.provider, behaviour.status, behaviour.message ?? `fake ${behaviour.status}`),
        );
        return;
      case 'hang':
        // Held open until the client aborts (its socket closes) or the server closes.
        hung.add(response);
        response.once('close', () => hung.delete(response));
        return;
      case 'malformed_body': {
        const text = '{"id": "broken", "choices": [{"message": {"content": "{\\"category';
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        response.end(text);
        return;
      }
      case 'malformed_answer':
        sendJson(
          response,
          200,
          successBody(found.provider, modelName, body, { text: '{"category": "connectivity", "priority": ' }),
        );
        return;
      case 'text': {
        const send = (): void =>
          sendJson(response, 200, successBody(found.provider, modelName, body, { text: behaviour.text }));
        if (behaviour.delayMs) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!response.destroyed) send();
          }, behaviour.delayMs);
          timers.add(timer);
        } else send();
        return;
      }
      case 'cut_off':
        sendJson(
          response,
          200,
          successBody(
            found.provider,
            modelName,
            body,
            { text: behaviour.text ?? '' },
            {
              ...(behaviour.thoughtsTokens !== undefined ? { thoughtsTokens: behaviour.thoughtsTokens } : {}),
            },
          ),
        );
        return;
      case 'wrong_shape': {
        const answer = behaviour.answer ?? WRONG_SHAPE;
        const content = found.provider === 'anthropic' ? { toolInput: answer } : { text: JSON.stringify(answer) };
        sendJson(response, 200, successBody(found.provider, modelName, body, content));
        return;
      }
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake LLM server: could not read its port');
  const url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    baseUrl: (provider) => (provider === 'openai' ? `${url}/v1` : url),
    get requests() {
      return requests;
    },
    requestsFor: (provider) => requests.filter((r) => r.provider === provider),
    enqueue: (provider, ...behaviours) => {
      queues.get(provider)?.push(...behaviours);
    },
    setDefault: (provider, behaviour) => {
      defaults.set(provider, behaviour);
    },
    reset: () => {
      restoreDefaults();
      requests.length = 0;
      transcriptionQueue.length = 0;
      transcriptions.length = 0;
    },
    enqueueTranscription: (...behaviours) => {
      transcriptionQueue.push(...behaviours);
    },
    get transcriptions() {
      return transcriptions;
    },
    get hanging() {
      return hung.size;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const response of hung) response.destroy();
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
