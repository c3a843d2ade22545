import { ErrorBody, type HttpApp } from '@helpline/runtime';
import { z } from 'zod';
import type { LastSendError } from '../cloud/send-error-log.js';
import { cloudApiConfigured, twilioConfigured } from '../config.js';
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
    /** Null when there was none, or when Redis could not be read (see `redis`). */
    lastSendError: z.object({ at: z.string(), code: z.string(), message: z.string() }).nullable(),
  }),
  twilio: z.object({
    /** TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER set: messages can be sent. */
    configured: z.boolean(),
    /** TWILIO_AUTH_TOKEN and TWILIO_WEBHOOK_URL set: POST /webhook/twilio takes messages. */
    webhook: z.boolean(),
    lastSendError: z.object({ at: z.string(), code: z.string(), message: z.string() }).nullable(),
  }),
  /** Whether the gateway's Redis answered the status' own read. */
  redis: z.object({ reachable: z.boolean(), message: z.string().optional() }),
  groups: GroupStatusBody,
});

type LastSendErrorRead = { ok: true; value: LastSendError | undefined } | { ok: false; message: string };

/** GET /api/status: the channels' state for operators. Others add their channel's part. */
export async function statusRoutes(app: HttpApp, context: GatewayContext): Promise<void> {
  app.get(
    '/api/status',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Channel status',
        tags: ['operator'],
        security: [{ bearer: [] }],
        response: { 200: StatusBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const configured = cloudApiConfigured(context.config);
      // Both have their own deadline and run side by side: the answer never waits on Redis
      // for longer than the read's deadline, nor on the Graph API for longer than its own.
      const [probe, last, twilioLast] = await Promise.all([
        configured && context.graph ? context.graph.probe() : undefined,
        context.sendErrors.last().then(
          (value): LastSendErrorRead => ({ ok: true, value }),
          (error: unknown): LastSendErrorRead => {
            request.log.warn({ err: error }, 'last send error not read: Redis unreachable');
            return {
              ok: false,
              message: `Redis unreachable: ${error instanceof Error ? error.message : String(error)}`,
            };
          },
        ),
        // Already reported through `redis` when Redis is away.
        context.twilioSendErrors.last().catch(() => undefined),
      ]);
      return {
        cloudApi: {
          configured,
          reachable: probe ? probe.reachable : null,
          probeError: probe?.error,
          graphApiVersion: context.config.GRAPH_API_VERSION,
          lastSendError: (last.ok ? last.value : undefined) ?? null,
        },
        twilio: {
          configured: twilioConfigured(context.config),
          webhook: Boolean(context.config.TWILIO_AUTH_TOKEN && context.config.TWILIO_WEBHOOK_URL),
          lastSendError: twilioLast ?? null,
        },
        redis: last.ok ? { reachable: true } : { reachable: false, message: last.message },
        groups: groupStatus(context.groups),
      };
    },
  );
}
