import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'helpline_';

export type JobOutcome = 'completed' | 'retrying' | 'failed' | 'invalid';

/**
 * A service's metrics: its own registry (never prom-client's global one, so tests can
 * build many services in one process), default process metrics, and the job metrics that
 * the worker factory fills. Label values are always of low cardinality: queue names,
 * outcomes, breaker names; never a phone number or a message id.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly jobDuration: Histogram<'queue' | 'outcome'>;
  readonly jobOutcomes: Counter<'queue' | 'outcome'>;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  replaceActiveResourceGauges(registry);
  const jobDuration = new Histogram({
    name: `${METRIC_PREFIX}job_duration_seconds`,
    help: 'Time a worker spent on one job attempt, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const jobOutcomes = new Counter({
    name: `${METRIC_PREFIX}jobs_total`,
    help: 'Job attempts by queue and outcome (completed, retrying, failed for good, invalid payload, deferred to run later)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });
  return { registry, jobDuration, jobOutcomes };
}

/**
 * prom-client names three gauges `nodejs_active_*_total`, which `promtool check metrics`
 * rejects (only counters may end in `_total`). They are replaced by one gauge of active
 * resources by type, read from Node's own public API.
 */
function replaceActiveResourceGauges(registry: Registry): void {
  for (const name of [
    'active_handles_total',
    'active_requests_total',
    'active_resources_total',
    'active_handles',
    'active_requests',
    'active_resources',
  ]) {
    registry.removeSingleMetric(`${METRIC_PREFIX}nodejs_${name}`);
  }
  new Gauge({
    name: `${METRIC_PREFIX}nodejs_active_resources`,
    help: 'Resources keeping the event loop alive, by type (sockets, timers, file handles, ...)',
    labelNames: ['type'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
      for (const [type, n] of counts) this.set({ type }, n);
    },
  });
}
