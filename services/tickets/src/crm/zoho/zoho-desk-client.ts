import { CrmAmbiguousError, CrmRefusedError, CrmUnavailableError } from '../crm-errors.js';
import type { ZohoTokenProvider } from './zoho-token-provider.js';

export interface ZohoDeskClientOptions {
  deskUrl: string;
  orgId: string;
  tokens: ZohoTokenProvider;
  /** Deadline of one Desk call (passed as an AbortSignal). */
  deadlineMs: number;
  fetch?: typeof fetch;
}

export interface DeskRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** A multipart/form-data body (an attachment upload); fetch writes its boundary. */
  form?: FormData;
  /**
   * A write whose loss of answer leaves its outcome unknown: a deadline or a dropped
   * connection then raises CrmAmbiguousError instead of CrmUnavailableError.
   */
  write?: boolean;
}

export interface DeskAnswer {
  status: number;
  /** Parsed JSON; undefined for 204 (Zoho's "nothing found") and 404. */
  body: unknown;
}

export interface ZohoDeskClient {
  /** Resolves for 2xx and 404; throws CrmRefusedError, CrmUnavailableError or CrmAmbiguousError otherwise. */
  request(request: DeskRequest): Promise<DeskAnswer>;
}

interface ZohoErrorBody {
  errorCode?: string;
  message?: string;
  errors?: { fieldName?: string; errorType?: string; errorMessage?: string }[];
}

/**
 * The Desk API over fetch: `Authorization: Zoho-oauthtoken`, the `orgId` header, a deadline
 * per call, and one refresh-and-resend when Zoho answers INVALID_OAUTH (the cached token
 * expired early or was revoked). Zoho's answers are sorted into the three CRM errors.
 */
export function createZohoDeskClient(options: ZohoDeskClientOptions): ZohoDeskClient {
  const fetchImpl = options.fetch ?? fetch;

  const once = async (
    request: DeskRequest,
    token: string,
  ): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const url = new URL(`${options.deskUrl}/api/v1${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = {
      authorization: `Zoho-oauthtoken ${token}`,
      orgId: options.orgId,
      accept: 'application/json',
    };
    if (request.body !== undefined && !request.form) headers['content-type'] = 'application/json';
    try {
      const res = await fetchImpl(url, {
        method: request.method,
        headers,
        body: request.form ?? (request.body === undefined ? undefined : JSON.stringify(request.body)),
        signal: AbortSignal.timeout(options.deadlineMs),
      });
      const text = await res.text();
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
          if (res.ok) throw new Error(`Zoho answered ${res.status} with a body that is not JSON`);
        }
      }
      return { status: res.status, body, headers: res.headers };
    } catch (error) {
      const what = `${request.method} ${request.path}`;
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${options.deadlineMs} ms`
          : describe(error);
      if (request.write) {
        throw new CrmAmbiguousError(`Zoho Desk ${what}: ${reason}; the write may have happened`, { cause: error });
      }
      throw new CrmUnavailableError(`Zoho Desk ${what}: ${reason}`, { cause: error });
    }
  };

  return {
    async request(request) {
      let token = await options.tokens.getToken();
      let answer = await once(request, token);
      if (answer.status === 401 && errorCode(answer.body) === 'INVALID_OAUTH') {
        // Once only: a second INVALID_OAUTH with a fresh token is a credential problem.
        await options.tokens.invalidate(token);
        token = await options.tokens.getToken();
        answer = await once(request, token);
      }
      const { status, body, headers } = answer;
      if ((status >= 200 && status < 300) || status === 404) {
        return { status, body: status === 204 || status === 404 ? undefined : body };
      }
      const what = `${request.method} ${request.path}`;
      const zoho = (typeof body === 'object' && body !== null ? body : {}) as ZohoErrorBody;
      if (status === 429 || status === 408 || status >= 500) {
        throw new CrmUnavailableError(
          `Zoho Desk ${what} answered ${status}${zoho.errorCode ? ` ${zoho.errorCode}` : ''}`,
          {
            status,
            retryAfterMs: retryAfter(headers.get('retry-after')),
          },
        );
      }
      const fields = (zoho.errors ?? [])
        .map((e) => `${e.fieldName ?? '?'} ${e.errorType ?? 'invalid'}${e.errorMessage ? ` (${e.errorMessage})` : ''}`)
        .join(', ');
      const message = `Zoho Desk refused ${what} (${status}${zoho.errorCode ? ` ${zoho.errorCode}` : ''}): ${zoho.message ?? 'no message'}${fields ? `; fields: ${fields}` : ''}`;
      throw new CrmRefusedError(message, { status, crmCode: zoho.errorCode, details: zoho.errors });
    },
  };
}

function errorCode(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && 'errorCode' in body
    ? String((body as ZohoErrorBody).errorCode)
    : undefined;
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ? `${error.message} (${cause.code})` : error.message;
}
