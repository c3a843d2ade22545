// The Fastify scope both signed webhooks (Meta's and Twilio's) are registered in: the body is
// kept as bytes, since the signature covers them, and every POST is counted once by outcome
// (`helpline_webhook_events_total`), whether the route, a Redis outage or a refusal before
// the route ended it.
import { type HttpApp, isRedisConnectionError, QueueUnavailableError } from '@helpline/runtime';
import type { FastifyRequest } from 'fastify';
import type { GatewayMetrics, WebhookOutcome } from '../metrics/gateway-metrics.js';

export interface WebhookTally {
  /** Counts a request under this outcome; it is not counted again. */
  count(request: FastifyRequest, outcome: WebhookOutcome): void;
  /** The route counted what the request carried itself: nothing more to count. */
  handled(request: FastifyRequest): void;
}

export interface SignedWebhookScopeOptions {
  /** The content types taken, as bytes; anything else is 415. */
  contentTypes: string | string[];
  bodyLimit: number;
  metrics: Pick<GatewayMetrics, 'webhookEvents'>;
  /** Logged when Redis is away while a delivery is stored (the sender delivers again). */
  unavailableMessage: string;
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

export async function registerSignedWebhookScope(
  app: HttpApp,
  options: SignedWebhookScopeOptions,
  routes: (scope: HttpApp, tally: WebhookTally) => void,
): Promise<void> {
  const { metrics } = options;
  const counted = new WeakSet<FastifyRequest>();
  const tally: WebhookTally = {
    count(request, outcome) {
      counted.add(request);
      metrics.webhookEvents.inc({ outcome });
    },
    handled(request) {
      counted.add(request);
    },
  };

  await app.register(async (plugin) => {
    // The child scope keeps the parent's zod type provider and pino logger; Fastify's
    // register typing forgets both.
    const scope = plugin as unknown as HttpApp;
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      options.contentTypes,
      { parseAs: 'buffer', bodyLimit: options.bodyLimit },
      (_req, body, done) => done(null, body),
    );
    // Redis away while a delivery is stored: counted and logged here; the app's error
    // handler answers 503 `unavailable` (not acknowledged: the sender delivers again). A bug
    // is a 500 the handler logs; refusals before the handler are counted below.
    scope.addHook('onError', async (request, _reply, error) => {
      if (request.method !== 'POST' || counted.has(request)) return;
      if (error instanceof QueueUnavailableError || isRedisError(error) || isRedisConnectionError(error)) {
        tally.count(request, 'unavailable');
        request.log.error({ err: error }, options.unavailableMessage);
      }
    });
    // Refusals raised before the handler (413, 415, a broken upload) are counted here.
    scope.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'POST' || counted.has(request)) return;
      if (reply.statusCode >= 400 && reply.statusCode < 500) metrics.webhookEvents.inc({ outcome: 'bad_request' });
    });
    routes(scope, tally);
  });
}
