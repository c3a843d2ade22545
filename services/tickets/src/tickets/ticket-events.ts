import {
  CONVERSATION_EVENT_VERSION,
  CONVERSATION_STREAM_FIELD,
  type ConversationEventOf,
  conversationEventIds,
  conversationStreamKey,
  type TicketRequest,
} from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';
import type { CrmProvider, CrmTicket } from '../crm/crm-adapter.js';

/**
 * Tells the desk about the tickets of a chat, on the gateway's conversation event stream
 * (the desk's one input): a ticket opened for a chat, and a local ticket's status change.
 * That is what its "has open ticket" reads. One XADD per fact; the ids derive from the fact,
 * so a retried job's second append is archived once. No MAXLEN here: the gateway's appends
 * keep the stream's cap.
 */
export interface TicketEvents {
  opened(request: TicketRequest, ticket: CrmTicket, provider: CrmProvider): Promise<void>;
  statusChanged(ticket: CrmTicket, chat: { chatId: string }, open: boolean): Promise<void>;
}

export function createTicketEvents(options: { redis: Redis; prefix: string; clock: () => Date }): TicketEvents {
  const key = conversationStreamKey(options.prefix);
  const append = async (event: ConversationEventOf<'ticket_opened' | 'ticket_status'>) => {
    await options.redis.xadd(key, '*', CONVERSATION_STREAM_FIELD, JSON.stringify(event));
  };
  return {
    async opened(request, ticket, provider) {
      // A ticket opened by staff over HTTP names no chat: there is nothing for the desk to mark.
      const target = request.replyTo;
      if (!target) return;
      await append({
        v: CONVERSATION_EVENT_VERSION,
        id: conversationEventIds.ticketOpened(ticket.id),
        type: 'ticket_opened',
        at: options.clock().toISOString(),
        channel: target.channel,
        chatId: target.chatId,
        ticket: { id: ticket.id, number: ticket.number, status: ticket.status, provider },
      });
    },
    async statusChanged(ticket, chat, open) {
      const at = options.clock();
      await append({
        v: CONVERSATION_EVENT_VERSION,
        id: conversationEventIds.ticketStatus(ticket.id, ticket.status, at.getTime()),
        type: 'ticket_status',
        at: at.toISOString(),
        // The desk updates the ticket it has by id; channel and chat only place a status it has not seen opened.
        channel: 'cloud',
        chatId: chat.chatId,
        ticket: { id: ticket.id, status: ticket.status, open },
      });
    },
  };
}
