import { createHash, timingSafeEqual } from 'node:crypto';
import { Identifier } from '@helpline/contracts';
import {
  BodyTooDeepError,
  ForbiddenKeyError,
  type HttpApp,
  HttpError,
  isRedisConnectionError,
  parseJsonBody,
  QueueUnavailableError,
} from '@helpline/runtime';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayContext } from '../context.js';
import type { WebhookOutcome } from '../metrics/gateway-metrics.js';
import { ingestWebhook } from './ingest-webhook.js';
import { WebhookEnvelope } from './normalise-payload.js';
import { verifyMetaSignature } from './signature.js';

/** Meta's own limit is far below; anything larger is not a webhook. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

const VerifyQuery = z.looseObject({
  'hub.mode': Identifier.optional(),
  'hub.verify_token': Identifier.optional(),
  'hub.challenge': Identifier.optional(),
});

const Ack = z.object({
  status: z.literal('ok'),
  accepted: z.number(),
  duplicate: z.number(),
  /** Messages kept for an operator (GET /api/webhook/refused) instead of the queue. */
  refused: z.number(),
  statuses: z.number(),
  ignored: z.number(),
});

/**
 * Compares the verify token in constant time. Both sides are hashed first: equal lengths
 * for timingSafeEqual, and the time taken says nothing of the token's length either.
 */
function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * GET /webhook (subscription check) and POST /webhook (signed events). Registered in
 * their own scope: the JSON parser here keeps the raw bytes, because the signature covers
 * them, and only `application/json` is accepted.
 */
export async function webhookRoutes(app: HttpApp, context: GatewayContext): Promise<void> {
  const { config, gatewayMetrics: metrics } = context;
  const counted = new WeakSet<FastifyRequest>();
  const count = (request: FastifyRequest, outcome: WebhookOutcome) => {
    counted.add(request);
    metrics.webhookEvents.inc({ outcome });
  };

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

  await app.register(async (plugin) => {
    // The child scope keeps the parent's zod type provider and pino logger; Fastify's
    // register typing forgets both.
    const scope = plugin as unknown as HttpApp;
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    // Redis away while a delivery is stored: counted and logged here; the app's error
    // handler answers 503 `unavailable` (not acknowledged: Meta delivers again). A bug is a
    // 500 the handler logs; refusals before the handler are counted below.
    scope.addHook('onError', async (request, _reply, error) => {
      if (request.method !== 'POST' || counted.has(request)) return;
      if (error instanceof QueueUnavailableError || isRedisError(error) || isRedisConnectionError(error)) {
        count(request, 'unavailable');
        request.log.error({ err: error }, 'webhook not stored: Redis unavailable; Meta will deliver again');
      }
    });
    // Refusals raised before the handler (413, 415, a broken upload) are counted here.
    scope.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'POST' || counted.has(request)) return;
      if (reply.statusCode >= 400 && reply.statusCode < 500) metrics.webhookEvents.inc({ outcome: 'bad_request' });
    });

    scope.get(
      '/webhook',
      { schema: { summary: 'Meta webhook verification', tags: ['webhook'], querystring: VerifyQuery } },
      async (request, reply) => {
        const q = request.query;
        const token = config.WHATSAPP_WEBHOOK_VERIFY_TOKEN;
        if (
          token &&
          q['hub.mode'] === 'subscribe' &&
          sameToken(q['hub.verify_token'], token) &&
          q['hub.challenge'] !== undefined
        ) {
          return reply.type('text/plain').send(q['hub.challenge']);
        }
        throw new HttpError(403, 'forbidden', 'webhook verification refused: wrong mode or verify token');
      },
    );

    scope.post(
      '/webhook',
      { schema: { summary: 'Meta webhook events (signed)', tags: ['webhook'], response: { 200: Ack } } },
      async (request, reply) => {
        const secret = config.META_APP_SECRET;
        if (!secret) {
          count(request, 'unavailable');
          throw new HttpError(
            503,
            'webhook_disabled',
            'webhook disabled: set META_APP_SECRET to verify Meta signatures',
          );
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
          counted.add(request);
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
        counted.add(request);
        const handled = result.accepted + result.duplicate + result.refused + result.statuses;
        if (handled === 0) metrics.webhookEvents.inc({ outcome: 'ignored' });
        return reply.send({ status: 'ok' as const, ...result, ignored: result.ignored.length });
      },
    );
  });
}

/** ioredis errors while Redis is away (no offline queue, closed connection, timeouts). */
export function isRedisError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|Redis not ready|ECONNREFUSED|ETIMEDOUT/i.test(
      error.message,
    )
  );
}
