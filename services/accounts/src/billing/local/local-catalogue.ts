import type { Database } from '@helpline/runtime';
import type { PaymentMethod, Plan } from '../billing-provider.js';

/** The built-in store's plan catalogue, cheapest first. */
export async function localPlans(db: Database): Promise<Plan[]> {
  const r = await db.query<{
    plan_id: string;
    name: string;
    price_minor: string | null;
    download: string | null;
    upload: string | null;
  }>(
    'SELECT plan_id, name, price_minor::text, download, upload FROM plans ORDER BY plans.price_minor NULLS LAST, plans.name',
    [],
    'plans',
  );
  return r.rows.map((row) => {
    const plan: Plan = { id: row.plan_id, name: row.name };
    if (row.price_minor !== null) plan.priceMinor = BigInt(row.price_minor);
    if (row.download) plan.download = row.download;
    if (row.upload) plan.upload = row.upload;
    return plan;
  });
}

/** The built-in store's payment methods. */
export async function localPaymentMethods(db: Database): Promise<PaymentMethod[]> {
  const r = await db.query<{ method_id: string; name: string }>(
    'SELECT method_id, name FROM payment_methods ORDER BY method_id',
    [],
    'payment_methods',
  );
  return r.rows.map((row) => ({ id: row.method_id, name: row.name }));
}
