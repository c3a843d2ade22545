import {
  type CircuitBreaker,
  CodedError,
  createBreaker,
  ERRORS,
  isRetryableStatus,
  PermanentError,
  type ServiceMetrics,
} from '@helpline/runtime';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * The HTTP side of WispHub, shared by the customer directory (network, accounts) and the
 * accounts service's billing adapter: `Authorization: Api-Key <key>`, a deadline per call,
 * one breaker per process, Django REST framework pagination (`{count, next, previous,
 * results}`) followed on the configured base only.
 */

/** WispHub did not answer usefully (no answer in time, 5xx, 429, a body that is not the expected JSON): worth retrying. */
export class WisphubError extends CodedError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ERRORS.wisphub_unavailable, message, options);
    this.name = 'WisphubError';
  }
}

/** WispHub refused the request (a wrong API key, 4xx): retrying cannot fix it, and WispHub itself is up. */
export class WisphubRefusedError extends PermanentError {
  readonly status: number;
  constructor(status: number) {
    super('wisphub_refused', `WispHub refused the request (${status}); check WISPHUB_API_KEY and WISPHUB_API_URL`);
    this.name = 'WisphubRefusedError';
    this.status = status;
  }
}

export interface WisphubCall {
  method: 'GET' | 'POST';
  /** Path and query on the configured base, starting with `/api/`. */
  path: string;
  /** Form fields of a POST (WispHub's own forms take `application/x-www-form-urlencoded`). */
  form?: Record<string, string>;
}

export interface WisphubClientOptions {
  url: string;
  apiKey: string;
  /** Deadline of each HTTP call, body included. */
  timeoutMs: number;
  metrics: ServiceMetrics;
  logger?: Logger;
  /** Items asked for per page. */
  pageSize?: number;
  /** Pages followed for one listing at most (a filter WispHub ignores would otherwise walk the whole list). */
  maxPages?: number;
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeout?: number };
  fetch?: typeof fetch;
}

export interface WisphubClient {
  readonly breaker: CircuitBreaker<[WisphubCall], unknown>;
  /** One GET; undefined for a 404. */
  get(path: string): Promise<unknown>;
  /** One POST of form fields; undefined for a 404. Never retried here: the caller decides. */
  post(path: string, form: Record<string, string>): Promise<unknown>;
  /**
   * Every page of a list at `listPath` filtered by `query`, each item parsed by `item` and kept
   * when `wanted` says so: WispHub ignores filters it does not know, so the caller re-checks.
   */
  list<T>(
    listPath: string,
    query: Record<string, string>,
    item: z.ZodType<T>,
    wanted: (value: T) => boolean,
    /** Pages to follow at most for this listing (default: the client's `maxPages`). */
    limits?: { maxPages?: number },
  ): Promise<T[]>;
}

const Page = z.object({ results: z.array(z.unknown()), next: z.string().nullish() });

export function createWisphubClient(options: WisphubClientOptions): WisphubClient {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const pageSize = options.pageSize ?? 50;
  const maxPages = options.maxPages ?? 10;

  /** One call with its own deadline; undefined for a 404. Runs inside the breaker. */
  const call = async ({ method, path, form }: WisphubCall): Promise<unknown> => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Api-Key ${options.apiKey}`,
          accept: 'application/json',
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        signal,
      });
    } catch (error) {
      throw new WisphubError(
        signal.aborted ? `WispHub did not answer within ${options.timeoutMs} ms` : 'WispHub could not be reached',
        { cause: error },
      );
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      if (!isRetryableStatus(response.status)) throw new WisphubRefusedError(response.status);
      throw new WisphubError(`WispHub answered ${response.status}`);
    }
    try {
      return await response.json();
    } catch (error) {
      throw new WisphubError(
        signal.aborted
          ? `WispHub did not finish its answer within ${options.timeoutMs} ms`
          : 'WispHub answered with a body that is not JSON',
        { cause: error },
      );
    }
  };

  const breaker = createBreaker(call, {
    name: 'wisphub',
    metrics: options.metrics,
    volumeThreshold: options.breaker?.volumeThreshold ?? 5,
    errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
    resetTimeout: options.breaker?.resetTimeout ?? 30_000,
  });

  const fire = async (request: WisphubCall): Promise<unknown> => {
    try {
      return await breaker.fire(request);
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        throw new WisphubError('WispHub circuit breaker is open: WispHub failed repeatedly, calls paused', {
          cause: error,
        });
      }
      throw error;
    }
  };

  /**
   * `next` is followed for its query only, always on the configured base: the key never goes
   * to another host, nor over plain HTTP when WispHub's link says `http://`.
   */
  const nextPage = (listPath: string, next: string): string => {
    const absoluteList = new URL(`${base}${listPath}`).pathname;
    let link: URL;
    try {
      link = new URL(next, `${base}/`);
    } catch {
      throw new WisphubError('WispHub pagination link is not a URL');
    }
    if (link.pathname !== absoluteList) throw new WisphubError('WispHub pagination link points outside the list');
    return `${listPath}?${link.searchParams.toString()}`;
  };

  return {
    breaker,
    get: (path) => fire({ method: 'GET', path }),
    post: (path, form) => fire({ method: 'POST', path, form }),
    async list(listPath, query, item, wanted, limits) {
      const pagesAllowed = limits?.maxPages ?? maxPages;
      const found: z.infer<typeof item>[] = [];
      let path: string | undefined = `${listPath}?${new URLSearchParams({ ...query, limit: String(pageSize) })}`;
      for (let page = 1; path !== undefined; page++) {
        const parsed = Page.safeParse((await fire({ method: 'GET', path })) ?? { results: [] });
        if (!parsed.success) throw new WisphubError(`WispHub list ${listPath} has an unexpected shape`);
        for (const raw of parsed.data.results) {
          const one = item.safeParse(raw);
          if (!one.success) throw new WisphubError(`WispHub list ${listPath} has an item of an unexpected shape`);
          if (wanted(one.data)) found.push(one.data);
        }
        path = parsed.data.next ? nextPage(listPath, parsed.data.next) : undefined;
        if (path !== undefined && page >= pagesAllowed) {
          // Only an ignored filter lists this many items for one customer.
          options.logger?.warn(
            { pages: page, pageSize, list: listPath },
            'WispHub lookup stopped at its page limit; the filter may be ignored by WispHub',
          );
          break;
        }
      }
      return found;
    },
  };
}
