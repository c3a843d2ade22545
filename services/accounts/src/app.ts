import { breakerState, createHttpApp, type HealthCheck, type HttpApp, pingRedis } from '@helpline/runtime';
import { registerBroadcastRoutes } from './broadcasts/broadcast-routes.js';
import { type AccountsContext, SERVICE_NAME } from './context.js';
import { registerDocumentRoute } from './http/document-route.js';
import { registerErasureRoute } from './http/erasure-route.js';
import { registerLookupRoute } from './http/lookup-route.js';
import { registerNoticeRoutes } from './http/notice-routes.js';
import { registerReceiptRoutes } from './http/receipt-routes.js';
import { registerOutageRoutes } from './outages/outage-routes.js';

function healthChecks(context: AccountsContext): Record<string, HealthCheck> {
  return {
    redis: async () =>
      (await pingRedis(context.redis('producer')))
        ? { status: 'ok' }
        : { status: 'down', message: 'Redis does not answer PING' },
    database: context.db.healthCheck,
    backoffice: () => {
      const breaker = context.billing.breaker;
      if (!breaker) return { status: 'ok', details: { provider: context.billing.name } };
      const state = breakerState(breaker);
      return state === 'closed'
        ? { status: 'ok', details: { provider: context.billing.name, breaker: state } }
        : {
            status: 'degraded',
            message: `WispHub breaker ${state}: customers are told the system is away; requests are retried`,
            details: { provider: context.billing.name, breaker: state },
          };
    },
    worker: () => {
      if (context.workers.length === 0) return { status: 'ok', message: 'no worker in this process' };
      const running = context.workers.filter((w) => w.isRunning()).length;
      return running > 0
        ? { status: 'ok', details: { running } }
        : { status: 'down', message: 'the accounts worker is not running' };
    },
  };
}

/** The accounts service's HTTP app: runtime's base (health, metrics, docs) plus its routes. */
export async function buildApp(context: AccountsContext): Promise<HttpApp> {
  const app = await createHttpApp({
    service: SERVICE_NAME,
    description: "The ISP customer's own account: debt, invoices, statements, payment points, plans, receipts",
    logger: context.logger,
    metrics: context.metrics,
    apiToken: context.config.API_TOKEN,
    healthChecks: healthChecks(context),
  });
  registerLookupRoute(app, context);
  registerReceiptRoutes(app, context);
  registerDocumentRoute(app, context);
  registerErasureRoute(app, context);
  registerNoticeRoutes(app, context);
  registerBroadcastRoutes(app, context.broadcasts.service, context.broadcasts.templates);
  registerOutageRoutes(app, context.outages);
  return app;
}
