import { breakerState, createHttpApp, type HealthCheck, type HttpApp, pingRedis } from '@helpline/runtime';
import { SERVICE_NAME, type TicketsContext } from './context.js';
import { registerDirectoryRoutes } from './http/directory-routes.js';
import { registerQueueRoutes } from './http/queue-routes.js';
import { registerTicketRoutes } from './http/ticket-routes.js';

function healthChecks(context: TicketsContext): Record<string, HealthCheck> {
  return {
    redis: async () =>
      (await pingRedis(context.redis('commands')))
        ? { status: 'ok' }
        : { status: 'down', message: 'Redis does not answer PING' },
    crm: () => {
      const settings = context.crmSettings;
      if (settings.provider === 'local') {
        return settings.notice
          ? { status: 'degraded', message: settings.notice, details: { provider: 'local' } }
          : { status: 'ok', details: { provider: 'local' } };
      }
      const state = context.breaker ? breakerState(context.breaker) : 'closed';
      return state === 'closed'
        ? { status: 'ok', details: { provider: 'zoho', breaker: state } }
        : {
            status: 'degraded',
            message: `Zoho Desk breaker ${state}: tickets wait in the retry queue`,
            details: { provider: 'zoho', breaker: state },
          };
    },
    worker: () => {
      if (context.workers.length === 0) return { status: 'ok', message: 'no worker in this process' };
      const running = context.workers.filter((w) => w.isRunning()).length;
      return running > 0
        ? { status: 'ok', details: { running } }
        : { status: 'down', message: 'the tickets worker is not running' };
    },
  };
}

/** The tickets service's HTTP app: runtime's base (health, metrics, docs) plus its routes. */
export async function buildApp(context: TicketsContext): Promise<HttpApp> {
  const app = await createHttpApp({
    service: SERVICE_NAME,
    description: 'Turns ticket requests into Zoho Desk or local tickets, exactly once',
    logger: context.logger,
    metrics: context.metrics,
    apiToken: context.config.API_TOKEN,
    healthChecks: healthChecks(context),
  });
  registerTicketRoutes(app, context);
  registerDirectoryRoutes(app, context);
  registerQueueRoutes(app, context);
  return app;
}
