import { isOneToOneChannel, type TicketRequest } from '@helpline/contracts';
import type { ChatTickets } from '../attachments/chat-tickets.js';
import type { Producer } from '@helpline/runtime';
import { type CreateTicketDeps, type CreateTicketResult, createTicketOnce } from './create-ticket-once.js';
import { buildTicketNotice } from './ticket-notice.js';
import type { TicketEvents } from './ticket-events.js';

export interface ProcessTicketDeps extends CreateTicketDeps {
  outbound: Producer<'outbound'>;
  /** The desk's event stream: the chat has this ticket open. */
  events?: TicketEvents;
  /** Which ticket a chat has open, for the documents and photos sent after it. */
  chatTickets?: ChatTickets;
}

/**
 * A ticket request from the queue: the ticket (created once), then the customer told its
 * number. The notice is enqueued on every run, created or found: a run that created the
 * ticket and died before enqueueing is finished by the next one, and the notice's job id
 * keeps it to one message.
 */
export async function processTicketRequest(
  request: TicketRequest,
  deps: ProcessTicketDeps,
): Promise<CreateTicketResult> {
  // Before the create: a photo the customer sends while the CRM is away waits for this ticket.
  if (request.replyTo && isOneToOneChannel(request.replyTo.channel)) {
    await deps.chatTickets?.note(request.replyTo, request.idempotencyKey);
  }
  const result = await createTicketOnce(request, deps);
  // On every run, like the notice: a run that died after the create is finished by the next.
  await deps.events?.opened(request, result.ticket, deps.crm.provider);
  const notice = buildTicketNotice(request, result.ticket);
  if (notice) await deps.outbound.add(notice.message, { jobId: notice.jobId });
  return result;
}
