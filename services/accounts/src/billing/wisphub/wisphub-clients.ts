import type { CustomerReference } from '@helpline/contracts';
import { documentKey, phoneKey, phoneMatches, type WisphubClient } from '@helpline/directory';
import type { Account } from '../billing-provider.js';
import { Client, toAccount } from './wisphub-records.js';

/**
 * WispHub's clients, always from the list `GET /api/clientes/` (only the list carries
 * `saldo`, `estado_facturas` and `fecha_corte`), each row re-checked with `wanted`:
 * WispHub ignores a filter it does not know and lists everything.
 */
export function createWisphubClients(client: WisphubClient) {
  const clients = (query: Record<string, string>, wanted: (c: Client) => boolean): Promise<Account[]> =>
    client.list('/api/clientes/', query, Client, wanted).then((found) => found.map(toAccount));

  return {
    clients,
    async findAccounts(ref: CustomerReference): Promise<Account[]> {
      if (ref.customerId !== undefined) {
        const id = ref.customerId;
        if (!/^\d{1,12}$/.test(id)) return [];
        return clients({ id_servicio: id }, (c) => c.id_servicio === id);
      }
      if (ref.documentNumber !== undefined) {
        const key = documentKey(ref.documentNumber);
        if (key === '') return [];
        return clients({ cedula: ref.documentNumber.trim() }, (c) => !!c.cedula && documentKey(c.cedula) === key);
      }
      if (ref.phone !== undefined) {
        const phone = ref.phone;
        const key = phoneKey(phone);
        if (key.length < 7) return [];
        return clients({ telefono: key }, (c) =>
          phoneMatches(
            (c.telefono ?? '').split(/[,;/|]/).map((p) => p.trim()),
            phone,
          ),
        );
      }
      return [];
    },
  };
}
export type WisphubClients = ReturnType<typeof createWisphubClients>;
