/** A Graph API error answer: `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
export class GraphApiError extends Error {
  readonly status: number;
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly fbtraceId: string | undefined;

  constructor(status: number, body: unknown) {
    const e = (body as { error?: Record<string, unknown> } | undefined)?.error ?? {};
    const code = typeof e.code === 'number' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : `HTTP ${status}`;
    super(`Graph API ${status}${code !== undefined ? ` code ${code}` : ''}: ${message}`);
    this.name = 'GraphApiError';
    this.status = status;
    this.code = code;
    this.subcode = typeof e.error_subcode === 'number' ? e.error_subcode : undefined;
    this.fbtraceId = typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined;
  }
}

/** Failures that happen before a request can leave: Meta cannot have seen it. */
const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The code of fetch's underlying error (`TypeError: fetch failed` carries it as its cause). */
function causeCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The request never got an HTTP answer (refused, reset, timed out). */
export class GraphNetworkError extends Error {
  /**
   * False when the request cannot have reached Meta (connection refused, name not
   * resolved); true when it may have (reset or timed out after it was sent), so the
   * message may be out although no answer came.
   */
  readonly mayHaveBeenSent: boolean;

  constructor(cause: unknown) {
    super(`Graph API unreachable: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`, { cause });
    this.name = 'GraphNetworkError';
    const code = causeCode(cause);
    this.mayHaveBeenSent = code === undefined || !NEVER_LEFT.has(code);
  }
}

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  /** Deadline of one call. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface GraphClient {
  /** POST /{version}/{phone-number-id}/messages; resolves with the wamid when Meta gives one. */
  sendMessage(body: Record<string, unknown>): Promise<{ messageId?: string }>;
  /** GET /{version}/{phone-number-id}: whether the API answers and accepts the token. */
  probe(): Promise<{ reachable: boolean; status?: number; error?: string }>;
}

/** The Cloud API over fetch. No retries here: the outbound queue owns retrying. */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = `${options.baseUrl.replace(/\/+$/, '')}/${options.version}/${options.phoneNumberId}`;
  const headers = { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' };

  async function call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (error) {
      throw new GraphNetworkError(error);
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  }

  return {
    async sendMessage(body) {
      const { status, body: answer } = await call(`${base}/messages`, { method: 'POST', body: JSON.stringify(body) });
      if (status < 200 || status >= 300) throw new GraphApiError(status, answer);
      const id = (answer as { messages?: Array<{ id?: unknown }> } | undefined)?.messages?.[0]?.id;
      return typeof id === 'string' ? { messageId: id } : {};
    },
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
