import type { NetworkContext } from './context.js';
import { startDiagnosticsWorker } from './worker/diagnostics-worker.js';

/**
 * Starts the `diagnostics` consumer (the context closes it first on shutdown) and the
 * outage probe (closed as a resource, before the routers).
 */
export function startWorkers(context: NetworkContext): void {
  startDiagnosticsWorker(context, { concurrency: context.config.DIAGNOSTICS_CONCURRENCY });
  context.outageProbe?.start();
}
