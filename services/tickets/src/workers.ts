import type { TicketsContext } from './context.js';
import { startTicketWorker } from './queue/start-ticket-worker.js';

/** Starts the `tickets` consumer; the context closes it first on shutdown. */
export function startWorkers(context: TicketsContext): void {
  startTicketWorker(context);
}
