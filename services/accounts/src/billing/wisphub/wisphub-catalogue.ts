import type { WisphubClient } from '@helpline/directory';
import type { z } from 'zod';
import type { PaymentMethod, Plan } from '../billing-provider.js';
import { toMinorUnits } from '../money.js';
import { Method, PlanDetail, PlanItem } from './wisphub-records.js';

/**
 * WispHub's plan catalogue (`GET /api/plan-internet/`, price and speeds in the PPPoE or
 * queue detail) and payment methods (`GET /api/formas-de-pago/`), each kept `ttlMs`: they
 * change rarely, and a catalogue of N plans costs N + 1 calls.
 */
export function createWisphubCatalogue(client: WisphubClient, clock: () => Date, ttlMs: number) {
  let planCache: { at: number; plans: Plan[] } | undefined;
  let methodCache: { at: number; methods: PaymentMethod[] } | undefined;

  const planDetail = async (item: z.infer<typeof PlanItem>): Promise<z.infer<typeof PlanDetail> | undefined> => {
    const kinds = /ppp/i.test(item.tipo ?? '') ? ['pppoe', 'queue'] : ['queue', 'pppoe'];
    for (const kind of kinds) {
      const body = await client.get(`/api/plan-internet/${kind}/${encodeURIComponent(item.id)}/`);
      if (body === undefined) continue;
      const parsed = PlanDetail.safeParse(body);
      if (parsed.success) return parsed.data;
    }
    return undefined;
  };

  return {
    async plans(): Promise<Plan[]> {
      if (planCache && clock().getTime() - planCache.at < ttlMs) return planCache.plans;
      const items = await client.list('/api/plan-internet/', {}, PlanItem, () => true);
      const plans: Plan[] = [];
      for (const item of items) {
        const detail = await planDetail(item);
        const plan: Plan = { id: item.id, name: item.nombre };
        const price = toMinorUnits(detail?.precio ?? undefined);
        if (price !== undefined) plan.priceMinor = price;
        if (detail?.bajada !== undefined && detail.bajada !== null) plan.download = String(detail.bajada);
        if (detail?.subida !== undefined && detail.subida !== null) plan.upload = String(detail.subida);
        plans.push(plan);
      }
      planCache = { at: clock().getTime(), plans };
      return plans;
    },
    async paymentMethods(): Promise<PaymentMethod[]> {
      if (methodCache && clock().getTime() - methodCache.at < ttlMs) return methodCache.methods;
      const methods = (await client.list('/api/formas-de-pago/', {}, Method, () => true)).map((m) => ({
        id: m.id,
        name: m.nombre,
      }));
      methodCache = { at: clock().getTime(), methods };
      return methods;
    },
  };
}
