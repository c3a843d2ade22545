import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { METRIC_PREFIX, type ServiceMetrics } from './create-metrics.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Gauges of BullMQ job counts per queue and state, and the age of each queue's oldest
 * waiting job, read from Redis when Prometheus scrapes (nothing polls in between). A queue
 * that cannot be read leaves its series out of that scrape rather than failing it.
 */
export function registerQueueGauges(
  metrics: ServiceMetrics,
  queues: readonly Queue[],
  now: () => number = Date.now,
): void {
  new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: 'Jobs in each BullMQ queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          try {
            const counts = await queue.getJobCounts(...STATES);
            for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          } catch {
            // Redis unreachable: the series is absent this scrape; the health check reports it.
          }
        }),
      );
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}queue_oldest_waiting_seconds`,
    help: 'Age of the oldest waiting job in each queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          try {
            const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
            this.set({ queue: queue.name }, oldest ? Math.max(0, (now() - oldest.timestamp) / 1000) : 0);
          } catch {
            // as above
          }
        }),
      );
    },
  });
}
