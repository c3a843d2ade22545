import { CodedError, ERRORS } from '@helpline/runtime';
import { graphDeclaration } from './graph-error-codes.js';
import { createHttpTransport, type HttpAnswer, type HttpTransport, HttpTransportError } from './http-transport.js';

/**
 * A Graph API error answer: `{ error: { message, type, code, error_subcode, fbtrace_id } }`.
 * Its catalogue code (`graph_refused` or `graph_unavailable`) follows Meta's code and the
 * HTTP status; Meta's own number is `providerCode`, the upstream status `status`.
 */
export class GraphApiError extends CodedError {
  readonly status: number;
  declare readonly providerCode: number | undefined;
  readonly subcode: number | undefined;
  readonly fbtraceId: string | undefined;

  constructor(status: number, body: unknown) {
    const e = (body as { error?: Record<string, unknown> } | undefined)?.error ?? {};
    const code = typeof e.code === 'number' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : `HTTP ${status}`;
    super(
      graphDeclaration(status, code),
      `Graph API ${status}${code !== undefined ? ` code ${code}` : ''}: ${message}`,
      {
        ...(code !== undefined ? { providerCode: code } : {}),
      },
    );
    this.name = 'GraphApiError';
    this.status = status;
    this.subcode = typeof e.error_subcode === 'number' ? e.error_subcode : undefined;
    this.fbtraceId = typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined;
  }
}

/** The request never got an HTTP answer (refused, reset, timed out): worth retrying. */
export class GraphNetworkError extends CodedError {
  /**
   * False when the request cannot have reached Meta whole (connection refused, name not
   * resolved, cut off while being written); true when it had left whole and the answer
   * was lost (reset, timed out), so the message may be out although no answer came.
   */
  readonly mayHaveBeenSent: boolean;

  constructor(cause: HttpTransportError) {
    super(ERRORS.graph_unreachable, `Graph API unreachable: ${cause.message}`, { cause });
    this.name = 'GraphNetworkError';
    this.mayHaveBeenSent = cause.requestSent;
  }
}

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  /** Deadline of one call. */
  timeoutMs?: number;
  /** Connections are kept alive in it; node:http(s) unless a test passes its own. */
  transport?: HttpTransport;
}

export interface GraphClient {
  /** POST /{version}/{phone-number-id}/messages; resolves with the wamid when Meta gives one. */
  sendMessage(body: Record<string, unknown>): Promise<{ messageId?: string }>;
  /**
   * POST /{version}/{phone-number-id}/media (multipart: `messaging_product`, `type`, `file`):
   * uploads a document and resolves with the media id a message can then send.
   */
  uploadMedia(file: { bytes: Buffer; mimeType: string; filename: string }): Promise<string>;
  /** GET /{version}/{phone-number-id}: whether the API answers and accepts the token. */
  probe(): Promise<{ reachable: boolean; status?: number; error?: string }>;
  /** Closes the kept-alive connections (at shutdown). */
  close(): void;
}

/** The Cloud API over kept-alive HTTP. No retries here: the outbound queue owns retrying. */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const transport = options.transport ?? createHttpTransport();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = `${options.baseUrl.replace(/\/+$/, '')}/${options.version}/${options.phoneNumberId}`;
  const headers = { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' };

  async function call(
    url: string,
    init: { method: string; body?: string },
  ): Promise<{ status: number; body: unknown }> {
    let answer: HttpAnswer;
    try {
      answer = await transport.request(new URL(url), { ...init, headers, timeoutMs });
    } catch (error) {
      if (error instanceof HttpTransportError) throw new GraphNetworkError(error);
      throw error;
    }
    let body: unknown;
    try {
      body = answer.text ? JSON.parse(answer.text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: answer.status, body };
  }

  return {
    async sendMessage(body) {
      const { status, body: answer } = await call(`${base}/messages`, { method: 'POST', body: JSON.stringify(body) });
      if (status < 200 || status >= 300) throw new GraphApiError(status, answer);
      const id = (answer as { messages?: Array<{ id?: unknown }> } | undefined)?.messages?.[0]?.id;
      return typeof id === 'string' ? { messageId: id } : {};
    },
    async uploadMedia(file) {
      // Multipart is rare (a statement now and then): fetch's FormData, not the kept-alive JSON transport.
      const form = new FormData();
      form.set('messaging_product', 'whatsapp');
      form.set('type', file.mimeType);
      form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.filename);
      let response: Response;
      try {
        response = await fetch(`${base}/media`, {
          method: 'POST',
          headers: { authorization: headers.authorization },
          body: form,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // An upload that got no answer only leaves an unused media id behind: safe to repeat.
        throw new GraphNetworkError(new HttpTransportError(`media upload failed: ${(error as Error).message}`, false));
      }
      const text = await response.text();
      let answer: unknown;
      try {
        answer = text ? JSON.parse(text) : undefined;
      } catch {
        answer = undefined;
      }
      if (!response.ok) throw new GraphApiError(response.status, answer);
      const id = (answer as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'string') throw new GraphApiError(response.status, { error: { message: 'upload gave no id' } });
      return id;
    },
    close: () => transport.close(),
    async probe() {
      try {
        const { status, body } = await call(`${base}?fields=id`, { method: 'GET' });
        if (status >= 200 && status < 300) return { reachable: true, status };
        return { reachable: true, status, error: new GraphApiError(status, body).message };
      } catch (error) {
        return { reachable: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
