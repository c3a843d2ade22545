import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A WispHub client ("servicio") as the fake serves it. Field names follow WispHub's
 * `/api/clientes/` listing (`id_servicio`, `usuario`, `nombre`, `cedula`, `telefono`, `ip`,
 * `estado`, `saldo`, `plan_internet`, `router`, ...). The router's `falla_general` flag is
 * this project's assumption of where a general outage is recorded (see docs/services/network.md).
 */
export interface WisphubClient {
  id_servicio: number;
  usuario: string;
  nombre: string;
  cedula: string;
  /** One number or several separated by commas, as WispHub stores them. */
  telefono: string;
  ip: string;
  /** `Activo`, `Suspendido`, `Cancelado`, ... */
  estado: string;
  saldo: string;
  estado_facturas?: string;
  password_servicio?: string;
  mac_cpe?: string;
  plan_internet?: { nombre: string };
  router?: { id: number; nombre: string; falla_general?: boolean };
}

export interface FakeWisphubFaults {
  /** Answer every request with this status and a JSON error. */
  status?: number;
  /** Never answer. */
  hang?: boolean;
  /** Answer 200 with a body that is not JSON. */
  malformed?: boolean;
  /**
   * List every client whatever the filters say, as a Django REST API does with a query
   * parameter it does not know: a client that trusts the filter then "finds" everybody.
   */
  ignoreFilters?: boolean;
  /** Build the `next`/`previous` links on this origin (e.g. `http://...` behind a TLS proxy) instead of the fake's own. */
  linkOrigin?: string;
}

export interface RecordedWisphubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

export interface FakeWisphub {
  readonly url: string;
  readonly apiKey: string;
  clients: WisphubClient[];
  faults: FakeWisphubFaults;
  readonly requests: RecordedWisphubRequest[];
  close(): Promise<void>;
}

export interface FakeWisphubOptions {
  apiKey?: string;
  clients?: WisphubClient[];
  /** Page size when the request sends no `limit` (the list is paginated with `limit`/`offset`). */
  pageSize?: number;
}

/** The largest `limit` the fake honours; a larger one is cut to it. */
export const FAKE_WISPHUB_MAX_LIMIT = 1_000;

const digits = (s: string): string => s.replace(/\D/g, '');

/** Phones match on their last ten digits, so `+57 300 123 4567` finds `3001234567`. */
function phoneMatches(stored: string, wanted: string): boolean {
  const want = digits(wanted).slice(-10);
  if (want.length < 7) return false;
  return stored.split(',').some((p) => {
    const have = digits(p).slice(-10);
    return have.length >= 7 && have === want;
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeWisphub(options: FakeWisphubOptions = {}): Promise<FakeWisphub> {
  const apiKey = options.apiKey ?? 'wisphub-test-key';
  const requests: RecordedWisphubRequest[] = [];
  const sockets = new Set<Socket>();
  const state = { clients: options.clients ?? [], faults: {} as FakeWisphubFaults };
  const pageSize = options.pageSize ?? 50;
  let origin = '';

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams.entries());
    const authorization = req.headers.authorization;
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query, authorization });
    const faults = state.faults;
    if (faults.hang) return;
    if (faults.status) return send(res, faults.status, { detail: 'fault injected' });
    if (faults.malformed) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results": [');
      return;
    }
    if (authorization !== `Api-Key ${apiKey}`) {
      return send(res, 403, { detail: 'Las credenciales de autenticación no se proveyeron o son inválidas.' });
    }
    if (req.method === 'GET' && url.pathname === '/api/clientes/') {
      let results = state.clients;
      if (!faults.ignoreFilters) {
        if (query.telefono !== undefined)
          results = results.filter((c) => phoneMatches(c.telefono, query.telefono ?? ''));
        if (query.cedula !== undefined) results = results.filter((c) => c.cedula === query.cedula);
        if (query.usuario !== undefined) results = results.filter((c) => c.usuario === query.usuario);
        if (query.id_servicio !== undefined)
          results = results.filter((c) => String(c.id_servicio) === query.id_servicio);
      }
      const limit = Math.min(FAKE_WISPHUB_MAX_LIMIT, Math.max(1, Number(query.limit) || pageSize));
      const offset = Math.max(0, Number(query.offset) || 0);
      // Django REST framework's limit/offset pagination: absolute links carrying the same query.
      const link = (at: number): string => {
        const params = new URLSearchParams(url.searchParams);
        params.set('limit', String(limit));
        params.set('offset', String(at));
        return `${faults.linkOrigin ?? origin}/api/clientes/?${params.toString()}`;
      };
      return send(res, 200, {
        count: results.length,
        next: offset + limit < results.length ? link(offset + limit) : null,
        previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
        results: results.slice(offset, offset + limit),
      });
    }
    const one = /^\/api\/clientes\/(\d+)\/$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const client = state.clients.find((c) => String(c.id_servicio) === one[1]);
      return client ? send(res, 200, client) : send(res, 404, { detail: 'No encontrado.' });
    }
    return send(res, 404, { detail: 'No encontrado.' });
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    apiKey,
    get clients() {
      return state.clients;
    },
    set clients(value: WisphubClient[]) {
      state.clients = value;
    },
    get faults() {
      return state.faults;
    },
    set faults(value: FakeWisphubFaults) {
      state.faults = value;
    },
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
