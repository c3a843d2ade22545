import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Gauge } from 'prom-client';
import { SKIP_REASONS } from './group-message.js';

export const SESSION_STATES = [
  'stopped',
  'standby',
  'connecting',
  'open',
  'reconnecting',
  'logged_out',
  'replaced',
  'forbidden',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** Group mode's metrics, in the service's registry. Labels are closed lists only. */
export function createGroupMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  const connection = new Gauge({
    name: `${METRIC_PREFIX}group_connection_state`,
    help: 'Group session (Baileys) state: 1 for the current state, 0 for the others',
    labelNames: ['state'] as const,
    registers,
  });
  const inbound = new Counter({
    name: `${METRIC_PREFIX}group_messages_total`,
    help: 'Group messages taken in, by outcome (delivered to Redis, spooled while Redis was away, held in memory while the spool file could not be written, replayed from the spool, refused for good, dropped with the memory buffer full)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const skipped = new Counter({
    name: `${METRIC_PREFIX}group_messages_skipped_total`,
    help: 'Group messages not taken in, by reason (own, foreign group, status, protocol, reaction, ...)',
    labelNames: ['reason'] as const,
    registers,
  });
  const spool = new Gauge({
    name: `${METRIC_PREFIX}group_spool_messages`,
    help: 'Group messages waiting in the local spool for Redis',
    registers,
  });
  const spoolUnsaved = new Gauge({
    name: `${METRIC_PREFIX}group_spool_unsaved_messages`,
    help: 'Group messages held in memory only because the spool file cannot be written (lost if the gateway stops)',
    registers,
  });
  const spoolWriteFailures = new Counter({
    name: `${METRIC_PREFIX}group_spool_write_failures_total`,
    help: 'Failed writes of the group spool file or its rejected file (disk full, read-only volume, ...)',
    registers,
  });
  const reconnects = new Counter({
    name: `${METRIC_PREFIX}group_reconnects_total`,
    help: 'Group session reconnects, by disconnect reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const sent = new Counter({
    name: `${METRIC_PREFIX}group_sent_total`,
    help: 'Messages sent into groups, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const authWriteFailures = new Counter({
    name: `${METRIC_PREFIX}group_auth_write_failures_total`,
    help: 'Writes of the Baileys auth state that did not reach Redis',
    registers,
  });
  for (const state of SESSION_STATES) connection.set({ state }, state === 'stopped' ? 1 : 0);
  for (const reason of SKIP_REASONS) skipped.inc({ reason }, 0);
  for (const outcome of ['delivered', 'duplicate', 'spooled', 'held', 'replayed', 'rejected', 'dropped'])
    inbound.inc({ outcome }, 0);
  spool.set(0);
  spoolUnsaved.set(0);

  return {
    setState(state: SessionState): void {
      for (const s of SESSION_STATES) connection.set({ state: s }, s === state ? 1 : 0);
    },
    inbound,
    skipped,
    spool,
    spoolUnsaved,
    spoolWriteFailures,
    reconnects,
    sent,
    authWriteFailures,
  };
}
export type GroupMetrics = ReturnType<typeof createGroupMetrics>;
