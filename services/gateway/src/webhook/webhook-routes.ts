import { createHash, timingSafeEqual } from 'node:crypto';
import { Identifier } from '@helpline/contracts';
import { type HttpApp, HttpError } from '@helpline/runtime';
import { z } from 'zod';
import type { GatewayContext } from '../context.js';
import { registerMetaWebhookPost } from './meta-webhook-post.js';
import { registerSignedWebhookScope } from './signed-webhook-scope.js';

/** Meta's own limit is far below; anything larger is not a webhook. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

const VerifyQuery = z.looseObject({
  'hub.mode': Identifier.optional(),
  'hub.verify_token': Identifier.optional(),
  'hub.challenge': Identifier.optional(),
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
 * GET /webhook (subscription check) and POST /webhook (signed events, meta-webhook-post.ts).
 * Registered in their own scope: the JSON parser here keeps the raw bytes, because the
 * signature covers them, and only `application/json` is accepted.
 */
export async function webhookRoutes(app: HttpApp, context: GatewayContext): Promise<void> {
  const { config } = context;
  await registerSignedWebhookScope(
    app,
    {
      contentTypes: 'application/json',
      bodyLimit: WEBHOOK_BODY_LIMIT,
      metrics: context.gatewayMetrics,
      unavailableMessage: 'webhook not stored: Redis unavailable; Meta will deliver again',
    },
    (scope, tally) => {
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
      registerMetaWebhookPost(scope, context, tally);
    },
  );
}
