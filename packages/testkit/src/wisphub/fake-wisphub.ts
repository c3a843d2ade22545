import { randomUUID } from 'node:crypto';
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
  plan_internet?: { id?: number; nombre: string };
  router?: { id: number; nombre: string; falla_general?: boolean };
  /** Day the service is cut for non-payment (`YYYY-MM-DD`). */
  fecha_corte?: string | null;
  ciudad?: string;
}

/** WispHub's invoice states, by the number its `estado` filter takes. */
export const WISPHUB_INVOICE_STATES = {
  1: 'Pendiente de Pago',
  2: 'Pagada',
  3: 'Cancelada',
  4: 'En Revisión',
  5: 'Se Transfirió',
} as const;

/** An invoice (`/api/facturas/`): the client is named by its `usuario`, which is what the list filters on. */
export interface WisphubInvoice {
  id_factura: number;
  folio?: string;
  fecha_emision: string;
  fecha_vencimiento: string;
  fecha_pago?: string | null;
  total: string;
  estado: (typeof WISPHUB_INVOICE_STATES)[keyof typeof WISPHUB_INVOICE_STATES];
  cliente: { id_servicio: number; usuario: string; nombre?: string };
  articulos?: { descripcion: string; total: string }[];
}

export interface WisphubPlan {
  id: number;
  nombre: string;
  /** `PPPoE` plans' details are at /api/plan-internet/pppoe/{id}/, the others' at /queue/{id}/. */
  tipo: 'PPPoE' | 'Simple Queue';
  precio: string;
  bajada: string;
  subida: string;
}

/** A payment registered through `registrar-pago`, as the fake recorded it. */
export interface WisphubPayment {
  id_factura: number;
  total_cobrado: string;
  accion: string;
  forma_pago: string;
  referencia: string;
  fecha_pago: string;
  task_id: string;
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
  invoices: WisphubInvoice[];
  plans: WisphubPlan[];
  paymentMethods: { id: number; nombre: string }[];
  /** Every accepted `registrar-pago`, in order. */
  readonly payments: WisphubPayment[];
  faults: FakeWisphubFaults;
  readonly requests: RecordedWisphubRequest[];
  close(): Promise<void>;
}

export interface FakeWisphubOptions {
  apiKey?: string;
  clients?: WisphubClient[];
  invoices?: WisphubInvoice[];
  plans?: WisphubPlan[];
  paymentMethods?: { id: number; nombre: string }[];
  /** Page size when the request sends no `limit` (the list is paginated with `limit`/`offset`). */
  pageSize?: number;
  /** "Today" for the invoice list's default window (WispHub lists only recent months without a date range). */
  now?: () => Date;
}

/** Without any date range, `/api/facturas/` lists only invoices issued in this many last days. */
export const FAKE_WISPHUB_DEFAULT_INVOICE_DAYS = 90;

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
  const state = {
    clients: options.clients ?? [],
    invoices: options.invoices ?? [],
    plans: options.plans ?? [],
    paymentMethods: options.paymentMethods ?? [
      { id: 1, nombre: 'Efectivo' },
      { id: 2, nombre: 'Transferencia' },
    ],
    faults: {} as FakeWisphubFaults,
  };
  const payments: WisphubPayment[] = [];
  const now = options.now ?? (() => new Date());
  const pageSize = options.pageSize ?? 50;
  let origin = '';

  /** Django REST framework's limit/offset pagination: absolute links carrying the same query. */
  const page = (res: ServerResponse, url: URL, results: readonly unknown[]) => {
    const query = Object.fromEntries(url.searchParams.entries());
    const limit = Math.min(FAKE_WISPHUB_MAX_LIMIT, Math.max(1, Number(query.limit) || pageSize));
    const offset = Math.max(0, Number(query.offset) || 0);
    const link = (at: number): string => {
      const params = new URLSearchParams(url.searchParams);
      params.set('limit', String(limit));
      params.set('offset', String(at));
      return `${state.faults.linkOrigin ?? origin}${url.pathname}?${params.toString()}`;
    };
    send(res, 200, {
      count: results.length,
      next: offset + limit < results.length ? link(offset + limit) : null,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      results: results.slice(offset, offset + limit),
    });
  };

  const invoiceList = (res: ServerResponse, url: URL, query: Record<string, string>) => {
    let results = state.invoices;
    if (!state.faults.ignoreFilters) {
      if (query.cliente !== undefined) results = results.filter((f) => f.cliente.usuario === query.cliente);
      if (query.estado !== undefined) {
        const name = WISPHUB_INVOICE_STATES[Number(query.estado) as keyof typeof WISPHUB_INVOICE_STATES];
        results = results.filter((f) => f.estado === name);
      }
      const range = (field: 'fecha_emision' | 'fecha_vencimiento' | 'fecha_pago') => {
        const from = query[`${field}__range_0`];
        const to = query[`${field}__range_1`];
        if (from !== undefined) results = results.filter((f) => (f[field] ?? '').slice(0, 10) >= from);
        if (to !== undefined)
          results = results.filter((f) => (f[field] ?? '') !== '' && (f[field] ?? '').slice(0, 10) <= to);
      };
      range('fecha_emision');
      range('fecha_vencimiento');
      range('fecha_pago');
    }
    // WispHub's quirk: with no date range at all, only recently issued invoices are listed.
    if (!Object.keys(query).some((k) => /^fecha_\w+__range_[01]$/.test(k))) {
      const since = new Date(now().getTime() - FAKE_WISPHUB_DEFAULT_INVOICE_DAYS * 86_400_000)
        .toISOString()
        .slice(0, 10);
      results = results.filter((f) => f.fecha_emision.slice(0, 10) >= since);
    }
    return page(res, url, results);
  };

  const registerPayment = (res: ServerResponse, invoiceId: string, form: URLSearchParams) => {
    const invoice = state.invoices.find((f) => String(f.id_factura) === invoiceId);
    if (!invoice) return send(res, 404, { detail: 'No encontrado.' });
    const errors: Record<string, string[]> = {};
    const field = (name: string) => form.get(name) ?? '';
    if (!/^\d+(\.\d{1,2})?$/.test(field('total_cobrado'))) errors.total_cobrado = ['Introduzca un número válido.'];
    if (!['0', '1'].includes(field('accion'))) errors.accion = ['Escoja una opción válida.'];
    if (!state.paymentMethods.some((m) => String(m.id) === field('forma_pago')))
      errors.forma_pago = ['Forma de pago inválida.'];
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(field('fecha_pago')))
      errors.fecha_pago = ['Formato de fecha inválido.'];
    if (Object.keys(errors).length > 0) return send(res, 400, errors);
    const taskId = randomUUID();
    payments.push({
      id_factura: invoice.id_factura,
      total_cobrado: field('total_cobrado'),
      accion: field('accion'),
      forma_pago: field('forma_pago'),
      referencia: field('referencia'),
      fecha_pago: field('fecha_pago'),
      task_id: taskId,
    });
    invoice.estado = 'Pagada';
    invoice.fecha_pago = field('fecha_pago');
    const client = state.clients.find((c) => c.id_servicio === invoice.cliente.id_servicio);
    if (client && field('accion') === '1' && /suspend/i.test(client.estado)) client.estado = 'Activo';
    return send(res, 200, { messages: ['Se agrego correctamente el pago'], task_id: taskId });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
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
      return page(res, url, results);
    }
    const one = /^\/api\/clientes\/(\d+)\/$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const client = state.clients.find((c) => String(c.id_servicio) === one[1]);
      return client ? send(res, 200, client) : send(res, 404, { detail: 'No encontrado.' });
    }
    if (req.method === 'GET' && url.pathname === '/api/facturas/') return invoiceList(res, url, query);
    const invoice = /^\/api\/facturas\/(\d+)\/$/.exec(url.pathname);
    if (req.method === 'GET' && invoice) {
      const found = state.invoices.find((f) => String(f.id_factura) === invoice[1]);
      return found ? send(res, 200, found) : send(res, 404, { detail: 'No encontrado.' });
    }
    const pay = /^\/api\/facturas\/(\d+)\/registrar-pago\/$/.exec(url.pathname);
    if (req.method === 'POST' && pay) {
      const body = await new Promise<string>((resolve) => {
        let text = '';
        req.on('data', (c: Buffer) => {
          text += c.toString('utf8');
        });
        req.on('end', () => resolve(text));
      });
      const form = /json/.test(req.headers['content-type'] ?? '')
        ? new URLSearchParams(
            Object.entries(JSON.parse(body || '{}') as Record<string, unknown>).map(([k, v]): [string, string] => [
              k,
              String(v),
            ]),
          )
        : new URLSearchParams(body);
      return registerPayment(res, pay[1] as string, form);
    }
    if (req.method === 'GET' && url.pathname === '/api/formas-de-pago/') return page(res, url, state.paymentMethods);
    if (req.method === 'GET' && url.pathname === '/api/plan-internet/') {
      return page(
        res,
        url,
        state.plans.map((p) => ({ id: p.id, nombre: p.nombre, tipo: p.tipo })),
      );
    }
    const plan = /^\/api\/plan-internet\/(pppoe|queue)\/(\d+)\/$/.exec(url.pathname);
    if (req.method === 'GET' && plan) {
      const found = state.plans.find((p) => String(p.id) === plan[2] && (p.tipo === 'PPPoE') === (plan[1] === 'pppoe'));
      return found
        ? send(res, 200, {
            id: found.id,
            nombre: found.nombre,
            precio: found.precio,
            bajada: found.bajada,
            subida: found.subida,
          })
        : send(res, 404, { detail: 'No encontrado.' });
    }
    return send(res, 404, { detail: 'No encontrado.' });
  };

  const server: Server = createServer((req, res) => void handle(req, res));
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
    get invoices() {
      return state.invoices;
    },
    set invoices(value: WisphubInvoice[]) {
      state.invoices = value;
    },
    get plans() {
      return state.plans;
    },
    set plans(value: WisphubPlan[]) {
      state.plans = value;
    },
    get paymentMethods() {
      return state.paymentMethods;
    },
    set paymentMethods(value: { id: number; nombre: string }[]) {
      state.paymentMethods = value;
    },
    payments,
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
