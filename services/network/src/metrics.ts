import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Histogram } from 'prom-client';

/** The network service's own metrics; labels are router names, command words, kinds and results only. */
export interface NetworkMetrics {
  diagnoses: Counter<'result'>;
  commandDuration: Histogram<'router' | 'command' | 'outcome'>;
  routerErrors: Counter<'router' | 'kind'>;
  outagesEndedByProbe: Counter<string>;
}

export function createNetworkMetrics(metrics: ServiceMetrics): NetworkMetrics {
  const registers = [metrics.registry];
  return {
    diagnoses: new Counter({
      name: `${METRIC_PREFIX}diagnoses_total`,
      help: 'Diagnoses by result (ok, degraded, down, unknown, cached, ambiguous, not_found)',
      labelNames: ['result'] as const,
      registers,
    }),
    commandDuration: new Histogram({
      name: `${METRIC_PREFIX}routeros_command_duration_seconds`,
      help: 'RouterOS API command latency by router, command word and outcome',
      labelNames: ['router', 'command', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    routerErrors: new Counter({
      name: `${METRIC_PREFIX}routeros_errors_total`,
      help: 'RouterOS errors by router and kind (connect_timeout, closed, fatal, command_timeout, unknown_reply, empty, ...)',
      labelNames: ['router', 'kind'] as const,
      registers,
    }),
    outagesEndedByProbe: new Counter({
      name: `${METRIC_PREFIX}outages_auto_resolved_total`,
      help: 'Outages this service resolved because their router answered again and diagnoses on it passed',
      registers,
    }),
  };
}
