import type { CustomerReference } from '@helpline/contracts';
import { z } from 'zod';
import type { AccountState, CustomerDirectory, CustomerRecord } from './customer-directory.js';

/**
 * WispHub adapter. Facts carried over from WispHub's API as its users call it: base
 * `https://api.wisphub.net`, header `Authorization: Api-Key <key>`, `GET /api/clientes/`
 * filtered by query (`telefono`, `cedula`, `usuario`), one client at
 * `/api/clientes/<id_servicio>/`, fields `id_servicio`, `usuario`, `nombre`, `cedula`,
 * `telefono`, `ip`, `estado`, `saldo`, `plan_internet`, `router`. Where the general-outage
 * flag lives is not documented publicly; this adapter reads `router.falla_general`
 * (see docs/services/network.md).
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

const ClientList = z.object({ results: z.array(WisphubClient) });

export class WisphubError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'WisphubError';
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
    phones: (c.telefono ?? '').split(',').map((p) => p.trim()).filter(Boolean),
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

export interface WisphubOptions {
  url: string;
  apiKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function createWisphubDirectory(options: WisphubOptions): CustomerDirectory {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  const get = async (path: string): Promise<unknown> => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        headers: { authorization: `Api-Key ${options.apiKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new WisphubError('WispHub did not answer', { cause: error });
    }
    if (response.status === 404) return undefined;
    if (!response.ok) {
      await response.body?.cancel();
      throw new WisphubError(`WispHub answered ${response.status}`);
    }
    try {
      return await response.json();
    } catch (error) {
      throw new WisphubError('WispHub answered with a body that is not JSON', { cause: error });
    }
  };

  const list = async (query: Record<string, string>): Promise<CustomerRecord[]> => {
    const body = await get(`/api/clientes/?${new URLSearchParams(query).toString()}`);
    const parsed = ClientList.safeParse(body ?? { results: [] });
    if (!parsed.success) throw new WisphubError('WispHub client list has an unexpected shape');
    return parsed.data.results.map(toRecord);
  };

  return {
    source: 'wisphub',
    async find(ref: CustomerReference) {
      if (ref.customerId !== undefined) {
        if (!/^\d{1,12}$/.test(ref.customerId)) return [];
        const body = await get(`/api/clientes/${ref.customerId}/`);
        if (body === undefined) return [];
        const one = WisphubClient.safeParse(body);
        if (!one.success) throw new WisphubError('WispHub client has an unexpected shape');
        return [toRecord(one.data)];
      }
      if (ref.pppoeUser !== undefined) return list({ usuario: ref.pppoeUser });
      if (ref.documentNumber !== undefined) return list({ cedula: ref.documentNumber });
      if (ref.phone !== undefined) return list({ telefono: ref.phone.replace(/\D/g, '') });
      return [];
    },
  };
}
