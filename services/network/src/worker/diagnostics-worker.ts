import { createWorker } from '@helpline/runtime';
import type { NetworkContext } from '../context.js';
import { handleDiagnosticRequest } from '../diagnosis/diagnose.js';

/** Consumes `diagnostics`: the processor only hands the parsed request to the use case. */
export function startDiagnosticsWorker(context: NetworkContext, options: { concurrency?: number } = {}) {
  return createWorker(
    'diagnostics',
    async (request, { logger }) => {
      const outcome = await handleDiagnosticRequest(request, { ...context, logger });
      return outcome.kind === 'report'
        ? { status: outcome.report.status, fromCache: outcome.fromCache }
        : { status: 'ambiguous' };
    },
    {
      connection: context.workerRedis,
      logger: context.logger,
      metrics: context.serviceMetrics,
      ...(context.prefix ? { prefix: context.prefix } : {}),
      concurrency: options.concurrency ?? 4,
    },
  );
}
