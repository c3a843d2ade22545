import { METRIC_PREFIX, type Redis, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';

export interface ArchiveMetrics {
  archived: Counter;
  duplicates: Counter;
  rejected: Counter;
  reclaimed: Counter;
  reclaimedDeleted: Counter;
  failures: Counter;
  batchDuration: Histogram;
}

/** The archive's counters, and its lag read from Redis at scrape time. No labels: nothing per chat. */
export function createArchiveMetrics(
  metrics: ServiceMetrics,
  lag: { redis: Redis; stream: string; group: string; now?: () => number },
): ArchiveMetrics {
  const registers = [metrics.registry];
  const now = lag.now ?? Date.now;
  new Gauge({
    name: `${METRIC_PREFIX}desk_archive_lag_events`,
    help: 'Conversation events not yet archived: entries the desk group has not read plus those read and not acknowledged',
    registers,
    async collect() {
      try {
        const groups = (await lag.redis.xinfo('GROUPS', lag.stream)) as unknown[][];
        const ours = groups.map(toRecord).find((g) => g.name === lag.group);
        // `lag` is Redis 7's count of entries not yet delivered to the group; null when unknown
        // (after an XDEL it often cannot compute it): then the stream's length, which holds
        // exactly the undelivered and the pending entries since archived ones are deleted.
        const pending = typeof ours?.pending === 'number' ? ours.pending : 0;
        this.set(typeof ours?.lag === 'number' ? ours.lag + pending : await lag.redis.xlen(lag.stream));
      } catch {
        // No stream yet, or Redis away: no reading this scrape.
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}desk_archive_oldest_unarchived_seconds`,
    help: 'Age of the oldest conversation event still in the stream (archived events are deleted from it); 0 when none',
    registers,
    async collect() {
      try {
        const [first] = await lag.redis.xrange(lag.stream, '-', '+', 'COUNT', 1);
        const ms = first ? Number(first[0].split('-')[0]) : undefined;
        this.set(ms === undefined ? 0 : Math.max(0, (now() - ms) / 1000));
      } catch {
        // as above
      }
    },
  });
  return {
    archived: new Counter({
      name: `${METRIC_PREFIX}desk_events_archived_total`,
      help: 'Conversation events applied to the archive',
      registers,
    }),
    duplicates: new Counter({
      name: `${METRIC_PREFIX}desk_events_duplicate_total`,
      help: 'Conversation events read again and found already archived (a replay after a crash)',
      registers,
    }),
    rejected: new Counter({
      name: `${METRIC_PREFIX}desk_events_rejected_total`,
      help: 'Stream entries that are no valid conversation event, kept in rejected_events',
      registers,
    }),
    reclaimed: new Counter({
      name: `${METRIC_PREFIX}desk_events_reclaimed_total`,
      help: 'Pending entries of a consumer that stopped, taken over with XAUTOCLAIM',
      registers,
    }),
    reclaimedDeleted: new Counter({
      name: `${METRIC_PREFIX}desk_events_reclaimed_deleted_total`,
      help: 'Pending entries found deleted from the stream when reclaimed',
      registers,
    }),
    failures: new Counter({
      name: `${METRIC_PREFIX}desk_archive_failures_total`,
      help: 'Batches that failed (PostgreSQL or Redis away) and are read again',
      registers,
    }),
    batchDuration: new Histogram({
      name: `${METRIC_PREFIX}desk_archive_batch_seconds`,
      help: 'From a batch read to its acknowledgement after COMMIT',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}

/** XINFO's flat [name, value, ...] reply as a record. */
function toRecord(flat: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}
