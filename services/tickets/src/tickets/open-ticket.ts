import { jobIds, type TicketRequest } from '@helpline/contracts';
import { DeadlineError, type Logger, type Producer, withDeadline } from '@helpline/runtime';
import type { CrmTicket } from '../crm/crm-adapter.js';
import { CrmRefusedError, isRetryableCrmError } from '../crm/crm-errors.js';
import type { TicketsMetrics } from '../metrics/tickets-metrics.js';
import { type CreateTicketDeps, createTicketOnce } from './create-ticket-once.js';

function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'unknown', message: String(error) };
}

export interface OpenTicketDeps extends Omit<CreateTicketDeps, 'logger'> {
  tickets: Producer<'tickets'>;
  metrics: TicketsMetrics;
  /** How long a caller waits for the CRM before the request is queued instead. */
  syncDeadlineMs: number;
}

export type OpenTicketResult =
  | { state: 'created' | 'existing'; ticket: CrmTicket }
  | { state: 'queued'; jobId: string; reason: string };

/**
 * POST /tickets: a staff member wants the ticket number now, so the CRM is asked at once
 * (through the same idempotent create as the worker). When it cannot answer in time, the
 * request goes to the `tickets` queue and rides out the outage there; the same key then
 * still yields one ticket. A refusal by the CRM goes back to the caller (CrmRefusedError).
 */
export async function openTicket(
  request: TicketRequest,
  deps: OpenTicketDeps,
  logger: Logger,
): Promise<OpenTicketResult> {
  const provider = deps.crm.provider;
  const attempt = createTicketOnce(request, { ...deps, logger });
  try {
    const result = await withDeadline(attempt, deps.syncDeadlineMs, 'creating the ticket');
    deps.metrics.tickets.inc({ provider, outcome: result.duplicate ? 'duplicate_avoided' : 'created' });
    return { state: result.duplicate ? 'existing' : 'created', ticket: result.ticket };
  } catch (error) {
    if (error instanceof CrmRefusedError) {
      deps.metrics.tickets.inc({ provider, outcome: 'failed' });
      throw error;
    }
    if (!(error instanceof DeadlineError) && !isRetryableCrmError(error)) throw error;
    // The attempt may still finish after the deadline; its result is recorded by key, and
    // the queued job finds it there. A late failure changes nothing for the caller (the
    // job retries), but an operator following this correlation id must be able to see it.
    // Name and message only: the CRM errors' details and causes stay out of this line.
    attempt.catch((late: unknown) => {
      if (late === error) return;
      logger.warn(
        { correlationId: request.correlationId, error: describeError(late) },
        'the CRM attempt behind a queued ticket request failed after the answer; the queued job retries it',
      );
    });
    const reason = error instanceof Error ? error.message : String(error);
    const jobId = jobIds.ticket(request.correlationId);
    await deps.tickets.add(request, { jobId });
    deps.metrics.tickets.inc({ provider, outcome: 'retried' });
    logger.warn({ reason, jobId }, 'CRM did not answer in time; ticket request queued');
    return { state: 'queued', jobId, reason };
  }
}
