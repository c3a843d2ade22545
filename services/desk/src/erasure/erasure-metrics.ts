import { type Database, METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Gauge } from 'prom-client';

/**
 * Data-removal requests that did not reach every store, and the age of the oldest, read
 * from `erasure_requests` at scrape time (HelplineErasureIncomplete). No labels: nothing per chat.
 */
export function registerErasureMetrics(metrics: ServiceMetrics, db: Database, now: () => Date): void {
  const registers = [metrics.registry];
  const read = async () => {
    const { rows } = await db.query<{ n: string; oldest: Date | null }>(
      'SELECT count(*)::text AS n, min(first_requested_at) AS oldest FROM erasure_requests WHERE completed_at IS NULL',
      [],
      'erasure_metrics',
    );
    return rows[0];
  };
  new Gauge({
    name: `${METRIC_PREFIX}desk_erasures_incomplete`,
    help: 'Data-removal requests that did not reach every store and wait to be repeated',
    registers,
    async collect() {
      try {
        this.set(Number((await read())?.n ?? 0));
      } catch {
        // The database away: no reading this scrape (helpline_db_up says so).
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}desk_erasure_oldest_incomplete_seconds`,
    help: 'Age of the oldest data-removal request still incomplete; 0 when none',
    registers,
    async collect() {
      try {
        const oldest = (await read())?.oldest;
        this.set(oldest ? Math.max(0, (now().getTime() - new Date(oldest).getTime()) / 1000) : 0);
      } catch {
        // as above
      }
    },
  });
}
