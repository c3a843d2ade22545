import { createWorker } from '@helpline/runtime';
import type { NetworkContext } from '../context.js';
import { handleDiagnosticRequest } from '../diagnosis/diagnose.js';

/**
 * Consumes `diagnostics`: the processor only hands the parsed request to the use case. The
 * worker joins the context's list: /health reports it, and the context closes it first.
 */
export function startDiagnosticsWorker(context: NetworkContext, options: { concurrency?: number } = {}) {
  const worker = createWorker(
    'diagnostics',
    async (request, { logger }) => {
      const outcome = await handleDiagnosticRequest(request, { ...context, logger });
      if (outcome.kind === 'report') return { status: outcome.report.status, fromCache: outcome.fromCache };
      return outcome.kind === 'outage' ? { status: 'outage', outageId: outcome.outageId } : { status: 'ambiguous' };
    },
    {
      connection: context.redis('worker'),
      logger: context.logger,
      metrics: context.metrics,
      prefix: context.prefix,
      concurrency: options.concurrency ?? 4,
    },
  );
  context.addWorker(worker);
  return worker;
}
