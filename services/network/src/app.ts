import { breakerState, createHttpApp, type HealthCheck, type HttpApp, pingRedis } from '@helpline/runtime';
import type { NetworkContext } from './context.js';
import { registerDiagnoseRoute } from './http/diagnose-route.js';
import { registerErasureRoute } from './http/erasure-route.js';

/** The network service's HTTP app: /health, /metrics, /docs, POST /diagnose and the erasure. No I/O here. */
export async function buildApp(context: NetworkContext): Promise<HttpApp> {
  const checks: Record<string, HealthCheck> = {
    redis: async () =>
      (await pingRedis(context.redis('producer')))
        ? { status: 'ok' }
        : { status: 'down', message: 'Redis does not answer' },
    routers: () => {
      if (!context.routers.configured)
        return { status: 'degraded', message: 'router not configured: set MIKROTIK_HOST or MIKROTIK_ROUTERS' };
      const states = Object.fromEntries(context.routers.all().map((r) => [r.name, breakerState(r.breaker)]));
      const open = Object.entries(states).filter(([, s]) => s === 'open');
      return open.length > 0
        ? { status: 'degraded', message: `router breaker open: ${open.map(([n]) => n).join(', ')}`, details: states }
        : { status: 'ok', details: states };
    },
    configuration: () =>
      context.notices.length > 0 ? { status: 'degraded', message: context.notices.join('; ') } : { status: 'ok' },
    directory: () => {
      const { source, breaker } = context.directory;
      if (source === 'none') return { status: 'degraded', details: { source } };
      if (breaker && breakerState(breaker) === 'open') {
        return {
          status: 'degraded',
          message: `${source} breaker open: lookups paused after repeated failures`,
          details: { source, breaker: 'open' },
        };
      }
      return { status: 'ok', details: { source, ...(breaker ? { breaker: breakerState(breaker) } : {}) } };
    },
    worker: () => {
      const worker = context.workers[0];
      if (!worker) return { status: 'ok', message: 'no diagnostics worker in this process' };
      return worker.isRunning() ? { status: 'ok' } : { status: 'down', message: 'diagnostics worker not running' };
    },
  };
  const app = await createHttpApp({
    service: 'network',
    description: 'Diagnoses customer connections on Mikrotik routers',
    logger: context.logger,
    metrics: context.metrics,
    apiToken: context.config.API_TOKEN,
    healthChecks: checks,
  });
  registerDiagnoseRoute(app, context);
  registerErasureRoute(app, context);
  return app;
}
