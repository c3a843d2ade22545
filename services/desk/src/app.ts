import { createHttpApp, type HealthCheck, type HttpApp, pingRedis } from '@helpline/runtime';
import type { DeskContext } from './context.js';
import { registerConversationRoutes } from './http/conversation-routes.js';
import { registerRecordsRoutes } from './http/records-routes.js';

export async function buildApp(context: DeskContext): Promise<HttpApp> {
  const checks: Record<string, HealthCheck> = {
    database: context.db.healthCheck,
    redis: async () =>
      (await pingRedis(context.redis('producer')))
        ? { status: 'ok' }
        : { status: 'down', message: 'Redis does not answer' },
    archive: () =>
      context.consumer.running()
        ? { status: 'ok' }
        : { status: 'degraded', message: 'the archive consumer is not running in this process' },
    gateway: () =>
      context.gateway.configured
        ? { status: 'ok' }
        : { status: 'degraded', message: 'GATEWAY_URL or API_TOKEN unset: close, resume and erase answer 503' },
  };
  const app = await createHttpApp({
    service: 'desk',
    description: 'The staff desk: conversation archive, history, stats, consents, exports',
    logger: context.logger,
    metrics: context.metrics,
    apiToken: context.config.API_TOKEN,
    healthChecks: checks,
  });
  registerConversationRoutes(app, context);
  registerRecordsRoutes(app, context);
  return app;
}
