import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type RawServerDefault } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '../errors/coded-error.js';
import { lazyChild } from '../logging/lazy-child.js';
import type { ServiceMetrics } from '../metrics/create-metrics.js';
import { type HealthCheck, runHealthChecks } from './health.js';
import { isRedisConnectionError, PayloadValidationError, QueueUnavailableError } from '../queues/producer.js';
import { useJsonBodyParser } from './json-body-parser.js';
import { createOperatorAuth } from './operator-auth.js';
import { addSecurityHeaders } from './security-headers.js';

export type HttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, ZodTypeProvider>;

export interface HttpAppOptions {
  /** Service name: in /health, in the OpenAPI title and on metrics. */
  service: string;
  version?: string;
  description?: string;
  logger: Logger;
  metrics: ServiceMetrics;
  apiToken: string | undefined;
  /** Readiness checks shown by /health (Redis, workers, breakers, channels). */
  healthChecks?: Record<string, HealthCheck>;
  /** Largest accepted body, in bytes (default 1 MiB). */
  bodyLimit?: number;
}

/** The one error shape of every Helpline HTTP answer. */
export const ErrorBody = z.object({
  error: z.string().describe('stable machine-readable code'),
  message: z.string().describe('what is wrong, for a person'),
  details: z.unknown().optional(),
});

const HealthBody = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  service: z.string(),
  uptimeSeconds: z.number(),
  checks: z.record(
    z.string(),
    z.object({ status: z.string(), message: z.string().optional(), details: z.unknown().optional() }),
  ),
});

function validationMessage(
  context: string | undefined,
  issues: readonly { instancePath: string; message?: string }[],
): string {
  return issues
    .map((issue) => {
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const where = [context, path].filter(Boolean).join('.');
      return `${where || 'request'}: ${issue.message ?? 'invalid'}`;
    })
    .join('; ');
}

/**
 * The Fastify app every service starts from: zod validation and serialisation, OpenAPI at
 * /docs/json with a UI at /docs, GET /health, GET /metrics, one JSON error shape, and
 * `app.operatorAuth` for routes that need the bearer token. Routes are added by the
 * service after this returns; nothing listens until the caller says so.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  // Each request's logger (its request id) is made only when a line is written through it.
  app.setChildLoggerFactory((logger, bindings, childOptions) =>
    Object.keys(childOptions).length > 0 ? logger.child(bindings, childOptions) : lazyChild(logger as Logger, bindings),
  );
  useJsonBodyParser(app);
  addSecurityHeaders(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('operatorAuth', createOperatorAuth(options.apiToken));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.status(400).send({
        error: 'bad_request',
        message: validationMessage(error.validationContext, error.validation),
        details: error.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      });
    }
    // A job payload the queue's contract refused (a producer called from a route): the
    // caller's fault, never a 5xx.
    const failure: unknown = error;
    if (failure instanceof PayloadValidationError) {
      return reply.status(400).send({ error: failure.code, message: failure.message, details: failure.details });
    }
    if (failure instanceof QueueUnavailableError) {
      request.log.warn({ err: error }, 'request refused: queue unavailable');
      return reply.status(503).send({ error: 'unavailable', message: 'a queue is unavailable; try again later' });
    }
    // Every coded error answers as the catalogue declares it: route handlers throw, and
    // need no try/catch of their own to turn a domain error into an answer.
    if (error instanceof CodedError) {
      if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      // A 500 is a fault of the service (QueueAddError among them): logged once here, with
      // its cause; the answer says nothing of it.
      if (error.statusCode === 500) {
        return reply.status(500).send({ error: error.answer, message: 'internal error' });
      }
      return reply
        .status(error.statusCode)
        .send({ error: error.answer, message: error.message, details: error.details });
    }
    // Redis away (no offline queue, closed connection, not ready in time) while a route read
    // or wrote a store: `unavailable`, try again later, rather than an internal error. Routes
    // need no try/catch of their own for it.
    if (isRedisConnectionError(failure)) {
      request.log.warn({ err: error }, 'request refused: Redis unavailable');
      return reply
        .status(503)
        .send({ error: 'unavailable', message: 'a store (Redis) is unavailable; try again later' });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own refusals: body too large, unsupported content type.
      const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
      return reply.status(status).send({ error: code, message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    // 5xx details stay in the log, never in the answer.
    return reply.status(status).send({ error: 'internal_error', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: `Helpline ${options.service}`,
        version: options.version ?? '0.1.0',
        description: options.description,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const checks = options.healthChecks ?? {};
  app.get(
    '/health',
    { schema: { summary: 'Liveness and readiness', tags: ['ops'], response: { 200: HealthBody, 503: HealthBody } } },
    async (_request, reply) => {
      const report = await runHealthChecks(options.service, checks);
      return reply.status(report.status === 'down' ? 503 : 200).send(report);
    },
  );
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['ops'], hide: false } },
    async (_request, reply) => {
      const body = await options.metrics.registry.metrics();
      return reply.header('content-type', options.metrics.registry.contentType).send(body);
    },
  );
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for operator routes: bearer token `API_TOKEN`. */
    operatorAuth: ReturnType<typeof createOperatorAuth>;
  }
}
