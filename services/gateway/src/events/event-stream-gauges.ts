import { METRIC_PREFIX, type Redis, type ServiceMetrics } from '@helpline/runtime';
import { Gauge } from 'prom-client';
import type { ConversationEventStream } from './conversation-event-stream.js';

/**
 * The event stream's length and cap, read from Redis when Prometheus scrapes. The desk
 * deletes what it has archived, so the length is the backlog the cap could bite into; the
 * alert compares the two (deploy/prometheus/alerts.yml, ConversationStreamNearCap).
 */
export function registerEventStreamGauges(
  metrics: ServiceMetrics,
  redis: Redis,
  stream: ConversationEventStream,
): void {
  new Gauge({
    name: `${METRIC_PREFIX}conversation_stream_length`,
    help: 'Entries in the conversation event stream (not yet archived by the desk), read at scrape time',
    registers: [metrics.registry],
    async collect() {
      try {
        this.set(await redis.xlen(stream.key));
      } catch {
        // Redis unreachable: no reading this scrape; /health says why.
        this.reset();
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}conversation_stream_max_length`,
    help: 'The cap of the conversation event stream (CONVERSATION_STREAM_MAXLEN)',
    registers: [metrics.registry],
  }).set(stream.maxLen);
}
