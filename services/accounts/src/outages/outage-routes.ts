import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { OutageRow } from './outage-store.js';
import type { Outages } from './outages.js';

const Id = z.object({ id: z.string().regex(/^o[0-9a-z]{1,40}$/, 'expected an outage id such as o19c2f3a4k7x2') });

const OutageView = z.object({
  id: z.string(),
  router: z.string(),
  state: z.enum(['open', 'resolved']),
  source: z.enum(['detected', 'manual']),
  cause: z.enum(['router_down', 'failing_diagnoses', 'manual']),
  reason: z.string().nullable(),
  ends_by_itself: z.boolean().describe("the network service's probes end it once the router answers again"),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  resolved_by: z.string().nullable(),
  notified: z.number().describe('customers told of the outage'),
  notified_resolved: z.number().describe('customers told it ended'),
});

const view = (o: OutageRow): z.infer<typeof OutageView> => ({
  id: o.id,
  router: o.router,
  state: o.state,
  source: o.source,
  cause: o.cause,
  reason: o.reason,
  ends_by_itself: o.endsByItself,
  opened_at: o.openedAt,
  resolved_at: o.resolvedAt,
  resolved_by: o.resolvedBy,
  notified: o.notified,
  notified_resolved: o.notifiedResolved,
});

const OpenBody = z
  .object({
    router: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'expected a router name as MIKROTIK_ROUTERS names it'),
    reason: z.string().trim().min(1).max(500).optional(),
    /** `manual` (staff, the default) or `detected` (the network service). */
    source: z.enum(['manual', 'detected']).default('manual'),
    cause: z.enum(['router_down', 'failing_diagnoses', 'manual']).optional(),
    /**
     * A manual outage ends when staff resolve it, unless they say here that the network
     * service's probes may end it; a detected one always may.
     */
    ends_by_itself: z.boolean().optional(),
  })
  .refine((b) => b.source === 'detected' || b.cause === undefined || b.cause === 'manual', {
    message: 'a manual outage has cause manual',
    path: ['cause'],
  })
  .refine((b) => b.source === 'manual' || (b.cause !== undefined && b.cause !== 'manual'), {
    message: 'a detected outage says its cause: router_down or failing_diagnoses',
    path: ['cause'],
  });

/** Optional: who ended it (`staff` when the body is absent). */
const ResolveBody = z
  .object({ by: z.string().trim().min(1).max(120).optional() })
  .nullish()
  .transform((b) => ({ by: b?.by ?? 'staff' }));

export function registerOutageRoutes(app: HttpApp, outages: Outages): void {
  const security = [{ bearer: [] }];
  const Answer = z.object({ outage: OutageView, created: z.boolean(), told: z.number() });

  app.post(
    '/api/outages',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Declare a general outage on a router (or record the one the network service found)',
        description:
          'One open outage per router: declaring it again answers the open one (created=false). Customers on the router who wrote within OUTAGE_NOTICE_HOURS are told once; later complaints from the router get the same answer and join one incident ticket.',
        tags: ['outages'],
        security,
        body: OpenBody,
        response: { 200: Answer, 201: Answer, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const result = await outages.open({
        router: b.router,
        source: b.source,
        cause: b.cause ?? 'manual',
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.ends_by_itself !== undefined ? { endsByItself: b.ends_by_itself } : {}),
      });
      return reply
        .status(result.created ? 201 : 200)
        .send({ outage: view(result.outage), created: result.created, told: result.told });
    },
  );

  app.post(
    '/api/outages/:id/resolve',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'End an outage: everyone told of it, and whoever complained meanwhile, is told it is resolved',
        tags: ['outages'],
        security,
        params: Id,
        body: ResolveBody,
        response: { 200: z.object({ outage: OutageView, changed: z.boolean(), told: z.number() }), 404: ErrorBody },
      },
    },
    async (request) => {
      const result = await outages.resolve(request.params.id, request.body.by);
      if (!result) throw httpErrors.notFound('no such outage');
      return { outage: view(result.outage), changed: result.changed, told: result.told };
    },
  );

  app.get(
    '/api/outages',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Outages, newest first',
        tags: ['outages'],
        security,
        querystring: z.object({
          state: z.enum(['open', 'resolved']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ total: z.number(), items: z.array(OutageView) }) },
      },
    },
    async (request) => {
      const page = await outages.list(request.query.state, request.query.limit, request.query.offset);
      return { total: page.total, items: page.items.map(view) };
    },
  );

  app.get(
    '/api/outages/:id',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'One outage',
        tags: ['outages'],
        security,
        params: Id,
        response: { 200: OutageView, 404: ErrorBody },
      },
    },
    async (request) => {
      const outage = await outages.get(request.params.id);
      if (!outage) throw httpErrors.notFound('no such outage');
      return view(outage);
    },
  );
}
