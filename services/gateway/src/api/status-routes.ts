import { ErrorBody, type HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import { cloudApiConfigured } from '../config.js';
import type { GatewayContext } from '../context.js';
import { GroupStatusBody, groupStatus } from '../groups/group-routes.js';

const StatusBody = z.object({
  cloudApi: z.object({
    configured: z.boolean(),
    /** Whether GET /{phone-number-id} answered at all (null when not configured). */
    reachable: z.boolean().nullable(),
    /** Why the probe failed (a refused token shows here). */
    probeError: z.string().optional(),
    graphApiVersion: z.string(),
    lastSendError: z.object({ at: z.string(), code: z.string(), message: z.string() }).nullable(),
  }),
  groups: GroupStatusBody,
});

/** GET /api/status: the channels' state for operators. Others add their channel's part. */
export async function statusRoutes(app: HttpApp, context: GatewayContext): Promise<void> {
  app.get(
    '/api/status',
    {
      onRequest: app.operatorAuth,
      schema: { summary: 'Channel status', tags: ['operator'], security: [{ bearer: [] }], response: { 200: StatusBody, 401: ErrorBody } },
    },
    async () => {
      const configured = cloudApiConfigured(context.config);
      const probe = configured && context.graph ? await context.graph.probe() : undefined;
      const lastSendError = await context.sendErrors.last().catch(() => undefined);
      return {
        cloudApi: {
          configured,
          reachable: probe ? probe.reachable : null,
          probeError: probe?.error,
          graphApiVersion: context.config.GRAPH_API_VERSION,
          lastSendError: lastSendError ?? null,
        },
        groups: groupStatus(context.groups),
      };
    },
  );
}
