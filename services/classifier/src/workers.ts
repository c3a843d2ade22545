import type { ClassifierContext } from './context.js';
import { createInboundWorker } from './worker/inbound-worker.js';

/** Starts the `inbound` consumer; the context closes it first on shutdown. */
export function startWorkers(context: ClassifierContext): void {
  context.addWorker(
    createInboundWorker({
      connection: context.redis('worker'),
      prefix: context.prefix,
      logger: context.logger,
      metrics: context.metrics,
      process: context.processInbound,
      concurrency: context.config.CLASSIFIER_CONCURRENCY,
    }),
  );
}
