import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Histogram } from 'prom-client';

export const TICKET_OUTCOMES = ['created', 'duplicate_avoided', 'retried', 'failed'] as const;
export type TicketOutcome = (typeof TICKET_OUTCOMES)[number];

/** The tickets service's own metrics, beside the runtime's job, queue and breaker metrics. */
export function createTicketsMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  return {
    tickets: new Counter({
      name: `${METRIC_PREFIX}tickets_total`,
      help: 'Ticket requests by outcome: created, duplicate_avoided (the key already had a ticket), retried (will try again), failed (for good)',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    crmLatency: new Histogram({
      name: `${METRIC_PREFIX}crm_request_duration_seconds`,
      help: 'Time of one CRM operation (token refreshes and one INVALID_OAUTH resend included), by provider, operation and outcome',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    attachments: new Counter({
      name: `${METRIC_PREFIX}ticket_attachments_total`,
      help: "Customers' documents and photos for a chat's open ticket by outcome: attached, duplicate (done before), no_open_ticket, ticket_closed, retried, failed",
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    tokenRefreshes: new Counter({
      name: `${METRIC_PREFIX}zoho_token_refreshes_total`,
      help: 'Zoho access-token refreshes by outcome (Zoho allows 10 per 10 minutes)',
      labelNames: ['outcome'] as const,
      registers,
    }),
  };
}
export type TicketsMetrics = ReturnType<typeof createTicketsMetrics>;
