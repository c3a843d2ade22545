import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { MessageSink } from '../ingest/message-sink.js';
import type { ArrivalLog } from './arrival-log.js';

/**
 * Wraps the sink every channel hands its messages to (the webhook's and the group
 * adapter's), recording each message's arrival for the end-to-end latency metric. The
 * arrival is the message's `receivedAt` (the webhook request's time; for a group message
 * spooled while Redis was away, the time it was received, not replayed).
 *
 * The write is issued before the inner sink runs, so on the same connection it reaches
 * Redis before any reply the sink enqueues; it is a metric, so its failure is logged and
 * never refuses a message.
 */
export function recordArrivals(inner: MessageSink, arrivals: ArrivalLog, clock: () => Date): MessageSink {
  return {
    async accept(message: InboundMessage, log: Logger) {
      const received = Date.parse(message.receivedAt);
      const recorded = arrivals
        .record(message.correlationId, Number.isFinite(received) ? received : clock().getTime())
        .catch((error: unknown) => log.warn({ err: error }, 'could not record the arrival of an inbound message'));
      try {
        return await inner.accept(message, log);
      } finally {
        await recorded;
      }
    },
  };
}
