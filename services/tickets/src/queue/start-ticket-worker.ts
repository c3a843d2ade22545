import { QUEUE_NAMES } from '@helpline/contracts';
import { createWorker } from '@helpline/runtime';
import type { Worker } from 'bullmq';
import type { TicketsContext } from '../context.js';
import { createTicketJobHandler } from './ticket-job-handler.js';

/** Starts consuming `tickets`; the worker is kept in the context for /health and shutdown. */
export function startTicketWorker(context: TicketsContext): Worker {
  const handler = createTicketJobHandler({
    crm: context.crm,
    records: context.records,
    outbound: context.producers.outbound,
    events: context.ticketEvents,
    retryPolicy: context.retryPolicy,
    retryState: context.retryState,
    metrics: context.ticketsMetrics,
    lockTtlMs: context.lockTtlMs,
    clock: context.clock,
    random: context.random,
    chatTickets: context.chatTickets,
    attach: { chatTickets: context.chatTickets, attachments: context.attachmentRecords, media: context.gatewayMedia },
  });
  const worker = createWorker(QUEUE_NAMES.tickets, handler, {
    connection: context.redis('worker'),
    logger: context.logger,
    metrics: context.metrics,
    prefix: context.prefix,
    concurrency: context.workerConcurrency,
  });
  context.addWorker(worker);
  return worker;
}
