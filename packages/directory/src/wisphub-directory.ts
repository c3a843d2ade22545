import type { CustomerReference } from '@helpline/contracts';
import type { CircuitBreaker } from '@helpline/runtime';
import { z } from 'zod';
import {
  type AccountState,
  type CustomerDirectory,
  type CustomerRecord,
  phoneKey,
  phoneMatches,
} from './customer-directory.js';
import {
  createWisphubClient,
  type WisphubCall,
  type WisphubClient,
  type WisphubClientOptions,
  WisphubError,
} from './wisphub-client.js';

export { WisphubError, WisphubRefusedError } from './wisphub-client.js';

/**
 * WispHub adapter. What it relies on, as WispHub's API users call it (several independent
 * public clients agree; WispHub's own reference was not available to check): base
 * `https://api.wisphub.net`, header `Authorization: Api-Key <key>`, `GET /api/clientes/`
 * filtered by query (`telefono`, `cedula`, `usuario`) and paginated with `limit`/`offset`
 * as Django REST framework does (`{count, next, previous, results}`, `next` an absolute
 * URL or null), one client at `/api/clientes/<id_servicio>/`, fields `id_servicio`,
 * `usuario`, `nombre`, `cedula`, `telefono`, `ip`, `estado`, `saldo`, `plan_internet`,
 * `router`, and in the list only `saldo`, `estado_facturas`, `fecha_corte`. Not confirmed, and therefore not trusted: whether `telefono` matches exactly
 * or by substring, and whether a filter is applied at all (a Django API ignores a query
 * parameter it does not know and lists everybody). Every client returned is re-checked
 * here against what was asked, so a filter WispHub ignores cannot make other customers
 * match. Where the general-outage flag lives is not documented publicly; this adapter
 * reads `router.falla_general` (see docs/services/network.md).
 */
const WisphubCustomer = z.object({
  id_servicio: z.coerce.string(),
  usuario: z.string().nullish(),
  nombre: z.string().nullish(),
  cedula: z.string().nullish(),
  telefono: z.string().nullish(),
  ip: z.string().nullish(),
  estado: z.string().nullish(),
  saldo: z.union([z.string(), z.number()]).nullish(),
  estado_facturas: z.string().nullish(),
  fecha_corte: z.string().nullish(),
  plan_internet: z.object({ id: z.coerce.string().nullish(), nombre: z.string().nullish() }).passthrough().nullish(),
  router: z.object({ nombre: z.string().nullish(), falla_general: z.boolean().nullish() }).passthrough().nullish(),
});
type WisphubCustomer = z.infer<typeof WisphubCustomer>;

export function accountState(client: Pick<WisphubCustomer, 'estado' | 'saldo' | 'estado_facturas'>): AccountState {
  const estado = (client.estado ?? '').toLowerCase();
  if (/suspend|cortad/.test(estado)) return 'suspended';
  if (/cancel|retirad|baja/.test(estado)) return 'cancelled';
  if (/moros|mora/.test(estado)) return 'arrears';
  const saldo = Number(client.saldo ?? 0);
  if (saldo > 0 && /vencid/i.test(client.estado_facturas ?? '')) return 'arrears';
  if (/activ/.test(estado)) return 'active';
  return 'unknown';
}

function toRecord(c: WisphubCustomer): CustomerRecord {
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
  if (c.plan_internet?.id) record.planId = c.plan_internet.id;
  // Only WispHub's client list carries the balance and the cut-off date; one client read by id does not.
  if (c.saldo !== undefined && c.saldo !== null && String(c.saldo).trim() !== '')
    record.balance = String(c.saldo).trim();
  if (c.fecha_corte) record.cutoffDate = c.fecha_corte;
  return record;
}

/** Document numbers compare without spaces, dots and dashes (`1.001.234-5` is `10012345`). */
export const documentKey = (s: string): string => s.replace(/[\s.-]/g, '').toLowerCase();

export type WisphubOptions = WisphubClientOptions & {
  /** A client already made (the accounts service shares one breaker between directory and billing). */
  client?: WisphubClient;
};

export interface WisphubDirectory extends CustomerDirectory {
  readonly breaker: CircuitBreaker<[WisphubCall], unknown>;
  /**
   * Every client WispHub lists (a broadcast's audience), following at most `maxPages`
   * pages: a whole customer base, not one customer's lookup.
   */
  everyone(maxPages?: number): Promise<CustomerRecord[]>;
}

export function createWisphubDirectory(options: WisphubOptions): WisphubDirectory {
  const client = options.client ?? createWisphubClient(options);
  const list = (query: Record<string, string>, wanted: (c: CustomerRecord) => boolean) =>
    client
      .list('/api/clientes/', query, WisphubCustomer, (c) => wanted(toRecord(c)))
      .then((clients) => clients.map(toRecord));

  return {
    source: 'wisphub',
    breaker: client.breaker,
    async everyone(maxPages = 2_000) {
      const all = await client.list('/api/clientes/', {}, WisphubCustomer, () => true, { maxPages });
      return all.map(toRecord);
    },
    async find(ref: CustomerReference) {
      if (ref.customerId !== undefined) {
        const id = ref.customerId;
        if (!/^\d{1,12}$/.test(id)) return [];
        const body = await client.get(`/api/clientes/${id}/`);
        if (body === undefined) return [];
        const one = WisphubCustomer.safeParse(body);
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
