import type { CustomerReference } from '@helpline/contracts';
import {
  type CircuitBreaker,
  createBreaker,
  isRetryableStatus,
  PermanentError,
  type ServiceMetrics,
} from '@helpline/runtime';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  type AccountState,
  type CustomerDirectory,
  type CustomerRecord,
  phoneKey,
  phoneMatches,
} from './customer-directory.js';

/**
 * WispHub adapter. What it relies on, as WispHub's API users call it (several independent
 * public clients agree; WispHub's own reference was not available to check): base
 * `https://api.wisphub.net`, header `Authorization: Api-Key <key>`, `GET /api/clientes/`
 * filtered by query (`telefono`, `cedula`, `usuario`) and paginated with `limit`/`offset`
 * as Django REST framework does (`{count, next, previous, results}`, `next` an absolute
 * URL or null), one client at `/api/clientes/<id_servicio>/`, fields `id_servicio`,
 * `usuario`, `nombre`, `cedula`, `telefono`, `ip`, `estado`, `saldo`, `plan_internet`,
 * `router`. Not confirmed, and therefore not trusted: whether `telefono` matches exactly
 * or by substring, and whether a filter is applied at all (a Django API ignores a query
 * parameter it does not know and lists everybody). Every client returned is re-checked
 * here against what was asked, so a filter WispHub ignores cannot make other customers
 * match. Where the general-outage flag lives is not documented publicly; this adapter
 * reads `router.falla_general` (see docs/services/network.md).
 */
const WisphubClient = z.object({
  id_servicio: z.coerce.string(),
  usuario: z.string().nullish(),
  nombre: z.string().nullish(),
  cedula: z.string().nullish(),
  telefono: z.string().nullish(),
  ip: z.string().nullish(),
  estado: z.string().nullish(),
  saldo: z.union([z.string(), z.number()]).nullish(),
  estado_facturas: z.string().nullish(),
  plan_internet: z.object({ nombre: z.string().nullish() }).passthrough().nullish(),
  router: z.object({ nombre: z.string().nullish(), falla_general: z.boolean().nullish() }).passthrough().nullish(),
});
type WisphubClient = z.infer<typeof WisphubClient>;

const ClientPage = z.object({ results: z.array(WisphubClient), next: z.string().nullish() });

/** WispHub did not answer usefully (no answer in time, 5xx, a body that is not the expected JSON): worth retrying. */
export class WisphubError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'WisphubError';
  }
}

/** WispHub refused the request (a wrong API key, 4xx): retrying cannot fix it, and WispHub itself is up. */
export class WisphubRefusedError extends PermanentError {
  constructor(status: number) {
    super('wisphub_refused', `WispHub refused the request (${status}); check WISPHUB_API_KEY and WISPHUB_API_URL`);
    this.name = 'WisphubRefusedError';
  }
}

export function accountState(client: Pick<WisphubClient, 'estado' | 'saldo' | 'estado_facturas'>): AccountState {
  const estado = (client.estado ?? '').toLowerCase();
  if (/suspend|cortad/.test(estado)) return 'suspended';
  if (/cancel|retirad|baja/.test(estado)) return 'cancelled';
  if (/moros|mora/.test(estado)) return 'arrears';
  const saldo = Number(client.saldo ?? 0);
  if (saldo > 0 && /vencid/i.test(client.estado_facturas ?? '')) return 'arrears';
  if (/activ/.test(estado)) return 'active';
  return 'unknown';
}

function toRecord(c: WisphubClient): CustomerRecord {
  const record: CustomerRecord = {
    customerId: c.id_servicio,
    phones: (c.telefono ?? '')
      .split(/[,;/|]/)
      .map((p) => p.trim())
      .filter(Boolean),
    account: accountState(c),
    routerOutage: c.router?.falla_general === true,
  };
  if (c.nombre) record.name = c.nombre;
  if (c.cedula) record.documentNumber = c.cedula;
  if (c.usuario) record.pppoeUser = c.usuario;
  if (c.ip) record.serviceIp = c.ip;
  if (c.router?.nombre) record.router = c.router.nombre;
  if (c.plan_internet?.nombre) record.plan = c.plan_internet.nombre;
  return record;
}

/** Document numbers compare without spaces, dots and dashes (`1.001.234-5` is `10012345`). */
const documentKey = (s: string): string => s.replace(/[\s.-]/g, '').toLowerCase();

export interface WisphubOptions {
  url: string;
  apiKey: string;
  /** Deadline of each HTTP call, body included. */
  timeoutMs: number;
  metrics: ServiceMetrics;
  logger?: Logger;
  /** Clients asked for per page. */
  pageSize?: number;
  /** Pages followed for one lookup at most (a filter WispHub ignores would otherwise walk the whole customer base). */
  maxPages?: number;
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeout?: number };
  fetch?: typeof fetch;
}

export interface WisphubDirectory extends CustomerDirectory {
  readonly breaker: CircuitBreaker<[string], unknown>;
}

export function createWisphubDirectory(options: WisphubOptions): WisphubDirectory {
  const base = options.url.replace(/\/+$/, '');
  const listPath = new URL(`${base}/api/clientes/`).pathname;
  const doFetch = options.fetch ?? fetch;
  const pageSize = options.pageSize ?? 50;
  const maxPages = options.maxPages ?? 10;

  /** One GET with its own deadline; undefined for a 404. Runs inside the breaker. */
  const getJson = async (pathAndQuery: string): Promise<unknown> => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await doFetch(`${base}${pathAndQuery}`, {
        headers: { authorization: `Api-Key ${options.apiKey}`, accept: 'application/json' },
        signal,
      });
    } catch (error) {
      throw new WisphubError(
        signal.aborted ? `WispHub did not answer within ${options.timeoutMs} ms` : 'WispHub could not be reached',
        {
          cause: error,
        },
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

  const breaker = createBreaker(getJson, {
    name: 'wisphub',
    metrics: options.metrics,
    volumeThreshold: options.breaker?.volumeThreshold ?? 5,
    errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
    resetTimeout: options.breaker?.resetTimeout ?? 30_000,
  });

  const get = async (pathAndQuery: string): Promise<unknown> => {
    try {
      return await breaker.fire(pathAndQuery);
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
  const nextPage = (next: string): string => {
    let link: URL;
    try {
      link = new URL(next, `${base}/`);
    } catch {
      throw new WisphubError('WispHub pagination link is not a URL');
    }
    if (link.pathname !== listPath) throw new WisphubError('WispHub pagination link points outside the client list');
    return `/api/clientes/?${link.searchParams.toString()}`;
  };

  const list = async (
    query: Record<string, string>,
    wanted: (c: CustomerRecord) => boolean,
  ): Promise<CustomerRecord[]> => {
    const found: CustomerRecord[] = [];
    let path: string | undefined =
      `/api/clientes/?${new URLSearchParams({ ...query, limit: String(pageSize) }).toString()}`;
    for (let page = 1; path !== undefined; page++) {
      const parsed = ClientPage.safeParse((await get(path)) ?? { results: [] });
      if (!parsed.success) throw new WisphubError('WispHub client list has an unexpected shape');
      found.push(...parsed.data.results.map(toRecord).filter(wanted));
      path = parsed.data.next ? nextPage(parsed.data.next) : undefined;
      if (path !== undefined && page >= maxPages) {
        // Only an ignored filter lists this many clients for one phone or document.
        options.logger?.warn(
          { pages: page, pageSize },
          'WispHub lookup stopped at its page limit; the filter may be ignored by WispHub',
        );
        break;
      }
    }
    return found;
  };

  return {
    source: 'wisphub',
    breaker,
    async find(ref: CustomerReference) {
      if (ref.customerId !== undefined) {
        const id = ref.customerId;
        if (!/^\d{1,12}$/.test(id)) return [];
        const body = await get(`/api/clientes/${id}/`);
        if (body === undefined) return [];
        const one = WisphubClient.safeParse(body);
        if (!one.success) throw new WisphubError('WispHub client has an unexpected shape');
        const record = toRecord(one.data);
        return record.customerId === id ? [record] : [];
      }
      if (ref.pppoeUser !== undefined) {
        const user = ref.pppoeUser;
        return list({ usuario: user }, (c) => c.pppoeUser === user);
      }
      if (ref.documentNumber !== undefined) {
        const key = documentKey(ref.documentNumber);
        if (key === '') return [];
        return list(
          { cedula: ref.documentNumber.trim() },
          (c) => c.documentNumber !== undefined && documentKey(c.documentNumber) === key,
        );
      }
      if (ref.phone !== undefined) {
        const phone = ref.phone;
        // The national number: WispHub keeps phones as the ISP typed them, usually without the country code.
        const key = phoneKey(phone);
        if (key.length < 7) return [];
        return list({ telefono: key }, (c) => phoneMatches(c.phones, phone));
      }
      return [];
    },
  };
}
