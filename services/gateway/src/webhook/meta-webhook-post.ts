// POST /webhook: Meta's signed events. The signature is checked over the raw bytes before
// anything is parsed; a signed delivery that cannot be used whole is kept for an operator
// and acknowledged, since a refusal would be delivered again for days.
import { BodyTooDeepError, ForbiddenKeyError, type HttpApp, HttpError, parseJsonBody } from '@helpline/runtime';
import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.js';
import { ingestWebhook } from './ingest-webhook.js';
import { WebhookEnvelope } from './normalise-payload.js';
import { verifyMetaSignature } from './signature.js';
import type { WebhookTally } from './signed-webhook-scope.js';
import { z } from 'zod';

export const Ack = z.object({
  status: z.literal('ok'),
  accepted: z.number(),
  duplicate: z.number(),
  /** Messages kept for an operator (GET /api/webhook/refused) instead of the queue. */
  refused: z.number(),
  statuses: z.number(),
  ignored: z.number(),
});

export function registerMetaWebhookPost(scope: HttpApp, context: GatewayContext, tally: WebhookTally): void {
  const { config, gatewayMetrics: metrics } = context;
  const count = tally.count;

  const keepUnparsed = async (text: string, why: string, log: FastifyRequest['log']) => {
    const { id, fresh } = await context.refusedMessages.keep({
      reason: `${why}; the delivery is kept unused, as its text`,
      payload: { raw: text },
      receivedAt: context.clock().toISOString(),
    });
    if (!fresh) return;
    metrics.webhookEvents.inc({ outcome: 'refused' });
    log.warn({ refusedId: id, reason: why }, 'webhook delivery refused whole; kept for an operator');
  };

  scope.post(
    '/webhook',
    { schema: { summary: 'Meta webhook events (signed)', tags: ['webhook'], response: { 200: Ack } } },
    async (request, reply) => {
      const secret = config.META_APP_SECRET;
      if (!secret) {
        count(request, 'unavailable');
        throw new HttpError(503, 'webhook_disabled', 'webhook disabled: set META_APP_SECRET to verify Meta signatures');
      }
      const raw = request.body;
      if (!Buffer.isBuffer(raw)) {
        count(request, 'bad_request');
        throw new HttpError(400, 'bad_request', 'expected a JSON body');
      }
      const signature = request.headers['x-hub-signature-256'];
      if (!verifyMetaSignature(raw, typeof signature === 'string' ? signature : undefined, secret)) {
        count(request, 'invalid_signature');
        // The body is not logged: it is unauthenticated and may carry anyone's data.
        request.log.warn({ bytes: raw.length, hasSignature: signature !== undefined }, 'webhook signature refused');
        throw new HttpError(401, 'invalid_signature', 'missing or wrong X-Hub-Signature-256');
      }
      const text = raw.toString('utf8');
      let json: unknown;
      try {
        // The runtime's one JSON rule: nesting limit first, then the parse, then no
        // `__proto__` or `constructor.prototype` keys.
        json = parseJsonBody(text);
      } catch (error) {
        if (!(error instanceof BodyTooDeepError || error instanceof ForbiddenKeyError)) {
          count(request, 'bad_request');
          throw error;
        }
        // Signed, so Meta's (or sent with Meta's secret): a refusal would be delivered
        // again for days. The whole delivery is kept as its text, never used, for an
        // operator, and acknowledged.
        await keepUnparsed(text, error.message, request.log);
        tally.handled(request);
        return reply.send({ status: 'ok' as const, accepted: 0, duplicate: 0, refused: 1, statuses: 0, ignored: 0 });
      }
      const envelope = WebhookEnvelope.safeParse(json);
      if (!envelope.success) {
        count(request, 'bad_request');
        const details = envelope.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new HttpError(
          400,
          'bad_request',
          `not a webhook payload: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`,
          details,
        );
      }
      const result = await ingestWebhook(envelope.data, { ...context, metrics }, request.log);
      tally.handled(request);
      const handled = result.accepted + result.duplicate + result.refused + result.statuses;
      if (handled === 0) metrics.webhookEvents.inc({ outcome: 'ignored' });
      return reply.send({ status: 'ok' as const, ...result, ignored: result.ignored.length });
    },
  );
}
