import { createWorker, type Logger, type Redis, type ServiceMetrics } from '@helpline/runtime';
import type { InboundProcessor } from './process-inbound.js';

export interface InboundWorkerOptions {
  connection: Redis;
  prefix: string;
  logger: Logger;
  metrics: ServiceMetrics;
  process: InboundProcessor;
  concurrency?: number;
}

/** The `inbound` consumer: the runtime worker parses each job; this maps it to the use case. */
export function createInboundWorker(options: InboundWorkerOptions) {
  return createWorker('inbound', (message, { job, logger, token }) => options.process(message, job, logger, token), {
    connection: options.connection,
    prefix: options.prefix,
    logger: options.logger,
    metrics: options.metrics,
    concurrency: options.concurrency ?? 4,
  });
}
