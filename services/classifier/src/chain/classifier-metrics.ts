import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Histogram } from 'prom-client';

/** The classifier's own metrics, in the service's registry. Labels are closed lists only. */
export interface ClassifierMetrics {
  classifications: Counter<'source' | 'category'>;
  fallbacks: Counter<'provider' | 'reason'>;
  providerDuration: Histogram<'provider' | 'outcome'>;
  routing: Counter<'action'>;
  /** The assistant's replies, by who wrote them and what they were. */
  assistantAnswers: Counter<'source' | 'outcome'>;
  /** Knowledge entries an answer was built from, by entry id (file#n: bounded by the knowledge base). */
  entriesUsed: Counter<'entry'>;
  /** Model replies refused by the grounding check, by provider and what was not in the sources. */
  groundingRefusals: Counter<'provider' | 'kind'>;
  /** Voice notes, by transcriber and outcome. */
  voiceNotes: Counter<'provider' | 'outcome'>;
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
      help: 'Providers passed over, by provider and reason (no_key, breaker_open, timeout, rate_limited, server_error, invalid_answer, output_limit, bad_request, auth_error)',
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
    assistantAnswers: new Counter({
      name: `${METRIC_PREFIX}assistant_answers_total`,
      help: 'Assistant outcomes by source (openai, gemini, anthropic, knowledge) and outcome (answered, not_found, account, none)',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    entriesUsed: new Counter({
      name: `${METRIC_PREFIX}assistant_entries_used_total`,
      help: 'Knowledge entries answers were built from, by entry (file#n)',
      labelNames: ['entry'] as const,
      registers,
    }),
    groundingRefusals: new Counter({
      name: `${METRIC_PREFIX}assistant_grounding_refusals_total`,
      help: 'Model replies refused because they stated something the entries do not, by provider and kind (number, name, link, promise, date, entries)',
      labelNames: ['provider', 'kind'] as const,
      registers,
    }),
    voiceNotes: new Counter({
      name: `${METRIC_PREFIX}voice_notes_total`,
      help: 'Voice notes by transcriber (openai, gemini, none) and outcome (transcribed, empty, error, unsupported, download_failed, no_provider)',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
  };
}
