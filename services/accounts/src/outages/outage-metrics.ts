import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Gauge } from 'prom-client';

/** Open outages, read from PostgreSQL when Prometheus scrapes. No router label: a count only. */
export function registerOutageMetrics(metrics: ServiceMetrics, openCount: () => Promise<number>): void {
  let last = 0;
  new Gauge({
    name: `${METRIC_PREFIX}outages_open`,
    help: 'General outages open (detected by the network service or declared by staff)',
    registers: [metrics.registry],
    async collect() {
      try {
        last = await openCount();
      } catch {
        // The database is away: the last value stays, and /health says why.
      }
      this.set(last);
    },
  });
}
