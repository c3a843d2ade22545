import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Histogram } from 'prom-client';

/** The classifier's own metrics, in the service's registry. Labels are closed lists only. */
export interface ClassifierMetrics {
  classifications: Counter<'source' | 'category'>;
  fallbacks: Counter<'provider' | 'reason'>;
  providerDuration: Histogram<'provider' | 'outcome'>;
  routing: Counter<'action'>;
}

export function createClassifierMetrics(metrics: ServiceMetrics): ClassifierMetrics {
  const registers = [metrics.registry];
  return {
    classifications: new Counter({
      name: `${METRIC_PREFIX}classifications_total`,
      help: 'Messages classified, by who answered (openai, gemini, anthropic, keywords) and category',
      labelNames: ['source', 'category'] as const,
      registers,
    }),
    fallbacks: new Counter({
      name: `${METRIC_PREFIX}classifier_fallbacks_total`,
      help: 'Providers passed over, by provider and reason (no_key, breaker_open, timeout, rate_limited, server_error, invalid_answer, bad_request, auth_error)',
      labelNames: ['provider', 'reason'] as const,
      registers,
    }),
    providerDuration: new Histogram({
      name: `${METRIC_PREFIX}classifier_provider_duration_seconds`,
      help: 'Time of one provider call, by provider and outcome (ok or the failure reason)',
      labelNames: ['provider', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30],
      registers,
    }),
    routing: new Counter({
      name: `${METRIC_PREFIX}classifier_routing_total`,
      help: 'What routing did with a message: diagnostics, ticket, handoff, greeting, ack_only, accounts, skipped',
      labelNames: ['action'] as const,
      registers,
    }),
  };
}
