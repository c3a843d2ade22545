import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Gauge } from 'prom-client';
import { RECIPIENT_STATES, type RecipientState } from './broadcast-store.js';

/**
 * Broadcast progress. Labels are the recipient states only (a fixed set): never a phone,
 * a customer or a broadcast id. Read from PostgreSQL when Prometheus scrapes, so every
 * replica reports the same truth.
 */
export function createBroadcastMetrics(
  metrics: ServiceMetrics,
  stats: () => Promise<{ counts: Record<RecipientState, number>; running: number }>,
) {
  const registers = [metrics.registry];
  let last: { counts: Record<RecipientState, number>; running: number } | undefined;
  let pending: Promise<void> | undefined;
  // One query serves both gauges of a scrape.
  const refresh = () => {
    pending ??= stats()
      .then((s) => {
        last = s;
      })
      .catch(() => {
        // The database is away: the last values stay, and /health says why.
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  new Gauge({
    name: `${METRIC_PREFIX}broadcast_recipients`,
    help: 'Recipients of broadcasts running, scheduled, or ended in the last 24 hours, by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      await refresh();
      for (const state of RECIPIENT_STATES) this.set({ state }, last?.counts[state] ?? 0);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}broadcasts_running`,
    help: 'Broadcasts running or scheduled',
    registers,
    async collect() {
      await refresh();
      this.set(last?.running ?? 0);
    },
  });
  const handedOut = new Counter({
    name: `${METRIC_PREFIX}broadcast_messages_handed_out_total`,
    help: 'Broadcast messages handed to the outbound queue (paced to a share of WHATSAPP_SEND_RATE)',
    registers,
  });
  const outcomes = new Counter({
    name: `${METRIC_PREFIX}broadcast_outcomes_total`,
    help: 'Broadcast recipients moved into a state (sent, delivered, read, failed, skipped_*, cancelled), from the gateway events and the queue',
    labelNames: ['outcome'] as const,
    registers,
  });
  return { handedOut, outcomes };
}
export type BroadcastMetrics = ReturnType<typeof createBroadcastMetrics>;
