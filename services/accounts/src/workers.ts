import type { AccountsContext } from './context.js';
import { startAccountWorker } from './queue/start-account-worker.js';

/** Starts the `accounts` consumer; the context closes it first on shutdown. */
export function startWorkers(context: AccountsContext): void {
  startAccountWorker(context);
}
