import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { Account, BillingProvider } from '../billing/billing-provider.js';
import { formatCop } from '../billing/money.js';
import type { AccountsContext } from '../context.js';

const LookupQuery = z
  .object({
    phone: z.string().trim().min(7).max(32).optional(),
    customer_id: z.string().trim().min(1).max(64).optional(),
    document: z.string().trim().min(1).max(32).optional(),
  })
  .refine((q) => [q.phone, q.customer_id, q.document].filter(Boolean).length === 1, {
    message: 'give exactly one of phone, customer_id or document',
  });

const Money = z.object({ minor: z.string(), formatted: z.string() });
const AccountView = z.object({
  customer_id: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  balance: Money.nullable(),
  pending_invoices: z.array(
    z.object({ id: z.string(), number: z.string().nullable(), total: Money, due_on: z.string().nullable() }),
  ),
  cutoff_date: z.string().nullable(),
  plan: z.string().nullable(),
  provider: z.string(),
});
const Candidates = ErrorBody.extend({
  candidates: z.array(z.object({ customer_id: z.string(), name: z.string().nullable() })),
});

const money = (minor: bigint) => ({ minor: minor.toString(), formatted: formatCop(minor) });

/** The account as the bot tells it: the same balance, invoices and dates. */
export async function accountView(account: Account, billing: BillingProvider): Promise<z.infer<typeof AccountView>> {
  const pending = (await billing.invoices(account)).filter((i) => i.state === 'pending');
  const balance = account.balanceMinor ?? (pending.length ? pending.reduce((s, i) => s + i.totalMinor, 0n) : undefined);
  return {
    customer_id: account.customerId,
    name: account.name ?? null,
    status: account.status,
    balance: balance === undefined ? null : money(balance),
    pending_invoices: pending.map((i) => ({
      id: i.id,
      number: i.number ?? null,
      total: money(i.totalMinor),
      due_on: i.dueOn ?? null,
    })),
    cutoff_date: account.cutoffDate ?? null,
    plan: account.plan?.name ?? null,
    provider: billing.name,
  };
}

export function registerLookupRoute(app: HttpApp, context: AccountsContext): void {
  app.get(
    '/api/accounts/lookup',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'The account as the customer would be told it',
        description: '404 when no account matches, 409 with the candidates when several do.',
        tags: ['accounts'],
        security: [{ bearer: [] }],
        querystring: LookupQuery,
        response: { 200: AccountView, 404: ErrorBody, 409: Candidates, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const reference = q.phone
        ? { phone: q.phone }
        : q.customer_id
          ? { customerId: q.customer_id }
          : { documentNumber: q.document as string };
      let found: Account[];
      try {
        found = await context.billing.findAccounts(reference);
      } catch (error) {
        request.log.warn({ err: error }, 'back-office lookup failed');
        throw httpErrors.unavailable(`the ${context.billing.name} back-office did not answer`);
      }
      if (found.length === 0) throw httpErrors.notFound('no account matches');
      if (found.length > 1) {
        return reply.status(409).send({
          error: 'conflict',
          message: `${found.length} accounts match; ask with customer_id`,
          candidates: found.map((a) => ({ customer_id: a.customerId, name: a.name ?? null })),
        });
      }
      try {
        return await accountView(found[0] as Account, context.billing);
      } catch (error) {
        request.log.warn({ err: error }, 'back-office invoices failed');
        throw httpErrors.unavailable(`the ${context.billing.name} back-office did not answer`);
      }
    },
  );
}
