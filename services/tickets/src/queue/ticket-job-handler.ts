import { isAttachmentRequest } from '@helpline/contracts';
import type { JobHandler, Producer } from '@helpline/runtime';
import { type AttachDeps, type AttachResult, attachToOpenTicket } from '../attachments/attach-to-open-ticket.js';
import { PermanentError } from '@helpline/runtime';
import { DelayedError } from 'bullmq';
import type { ChatTickets } from '../attachments/chat-tickets.js';
import { withNormalizedPhone } from '../contacts/phone.js';
import type { CrmAdapter } from '../crm/crm-adapter.js';
import { CrmUnavailableError, isRetryableCrmError } from '../crm/crm-errors.js';
import type { TicketsMetrics } from '../metrics/tickets-metrics.js';
import { processTicketRequest } from '../tickets/process-ticket-request.js';
import type { TicketEvents } from '../tickets/ticket-events.js';
import type { TicketRecords } from '../tickets/ticket-records.js';
import { type RetryPolicy, type RetryState, retryDelay } from './retry-policy.js';

export interface TicketJobResult {
  ticketId: string;
  ticketNumber: string;
  duplicate: boolean;
  provider: string;
}

export type TicketsJobResult = TicketJobResult | (AttachResult & { provider: string });

export interface TicketJobDeps {
  /** What `attach` jobs need besides the CRM and the records; without it they fail as misrouted. */
  attach?: Omit<AttachDeps, 'crm' | 'records' | 'logger'>;
  crm: CrmAdapter;
  records: TicketRecords;
  outbound: Producer<'outbound'>;
  /** Which ticket a chat has open: noted when a ticket request for a chat is taken. */
  chatTickets?: ChatTickets;
  /** The desk's event stream (tickets opened for a chat). */
  events?: TicketEvents;
  retryPolicy: RetryPolicy;
  retryState: RetryState;
  metrics: TicketsMetrics;
  lockTtlMs: number;
  clock: () => Date;
  random: () => number;
}

/**
 * The `tickets` worker's handler. A CRM refusal fails the job at once (PermanentError, its
 * reason kept). A CRM that cannot answer (5xx, 429, deadline, dropped connection, breaker
 * open) puts the job back as delayed with this service's backoff until the retry horizon
 * has passed since the key first failed; then it fails for good, into the failed set.
 */
export function createTicketJobHandler(deps: TicketJobDeps): JobHandler<'tickets', TicketsJobResult> {
  const provider = deps.crm.provider;
  return async (payload, { job, logger, attempt }) => {
    const attach = isAttachmentRequest(payload);
    // The retry horizon is kept per key: a ticket's idempotency key, or the attachment's message.
    const key = attach ? `attach-${payload.messageId}` : payload.idempotencyKey;
    const countJob = (outcome: 'retried' | 'failed') =>
      (attach ? deps.metrics.attachments : deps.metrics.tickets).inc({ provider, outcome });
    try {
      if (attach) {
        if (!deps.attach) throw new PermanentError('invalid_payload', 'this tickets worker takes no attachments');
        const result = await attachToOpenTicket(payload, {
          ...deps.attach,
          crm: deps.crm,
          records: deps.records,
          logger,
        });
        await deps.retryState.clear(key);
        deps.metrics.attachments.inc({ provider, outcome: result.outcome });
        return { ...result, provider };
      }
      const result = await processTicketRequest(withNormalizedPhone(payload), { ...deps, logger });
      await deps.retryState.clear(key);
      deps.metrics.tickets.inc({ provider, outcome: result.duplicate ? 'duplicate_avoided' : 'created' });
      return { ticketId: result.ticket.id, ticketNumber: result.ticket.number, duplicate: result.duplicate, provider };
    } catch (error) {
      if (error instanceof PermanentError) {
        countJob('failed');
        await deps.retryState.clear(key);
        throw error;
      }
      if (!isRetryableCrmError(error)) {
        // Not the CRM (Redis, a bug): BullMQ's own attempts and backoff for this job apply.
        countJob(attempt >= (job.opts.attempts ?? 1) ? 'failed' : 'retried');
        throw error;
      }
      const now = deps.clock().getTime();
      const { since, count } = await deps.retryState.note(key, now);
      const hint = error instanceof CrmUnavailableError ? error.retryAfterMs : undefined;
      const delay = retryDelay(deps.retryPolicy, count, deps.random, hint);
      const reason = error instanceof Error ? error.message : String(error);
      if (now - since + delay > deps.retryPolicy.horizonMs) {
        countJob('failed');
        await deps.retryState.clear(key);
        const horizon = formatDuration(deps.retryPolicy.horizonMs);
        throw new PermanentError(
          'crm_unavailable',
          `gave up after ${count} attempts over the ${horizon} retry horizon: ${reason}`,
          {
            cause: error,
          },
        );
      }
      countJob('retried');
      logger.warn({ retry: count, delayMs: delay, reason }, 'CRM unavailable; ticket will be retried');
      await job.moveToDelayed(now + delay, job.token);
      // Tells BullMQ the job was moved by hand: neither failed nor completed.
      throw new DelayedError();
    }
  };
}

function formatDuration(ms: number): string {
  const round = (n: number) => Math.round(n * 100) / 100;
  if (ms >= 3600_000) return `${round(ms / 3600_000)} h`;
  if (ms >= 60_000) return `${round(ms / 60_000)} min`;
  return `${round(ms / 1000)} s`;
}
