import type { GatewayContext } from './context.js';
import { createOutboundWorker, type OutboundWorkerDeps } from './outbound/outbound-worker.js';

/** Worker settings tests may change (BullMQ lock and stalled-check timing). */
export type WorkerTuning = Pick<OutboundWorkerDeps, 'lockDuration' | 'stalledInterval' | 'concurrency'>;

/** Starts the `outbound` consumer; the context closes it first on shutdown. */
export function startWorkers(context: GatewayContext, options: WorkerTuning = {}): void {
  context.addWorker(
    createOutboundWorker({
      connection: context.redis('worker'),
      prefix: context.prefix,
      logger: context.logger,
      metrics: context.metrics,
      gatewayMetrics: context.gatewayMetrics,
      senders: context.senders,
      observers: context.observers,
      sendGuard: context.sendGuard,
      noticeGate: context.noticeGate,
      chatChannels: context.chatChannels,
      arrivals: context.arrivals,
      clock: context.clock,
      ...options,
    }),
  );
}
