import type { NetworkContext } from './context.js';
import { startDiagnosticsWorker } from './worker/diagnostics-worker.js';

/** Starts the `diagnostics` consumer; the context closes it first on shutdown. */
export function startWorkers(context: NetworkContext): void {
  startDiagnosticsWorker(context, { concurrency: context.config.DIAGNOSTICS_CONCURRENCY });
}
