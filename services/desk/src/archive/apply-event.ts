import type { ConversationEvent } from '@helpline/contracts';
import type { DatabaseClient } from '@helpline/runtime';
import { closeChat, endHandoff, startHandoff } from './chat-state-events.js';
import { eraseChatArchive } from './erase-chat-archive.js';
import type { PendingWrites } from './pending-writes.js';
import { writeTicketOpened, writeTicketStatus } from './ticket-events.js';

/**
 * One fresh event of a batch: messages, statuses, consents and held notices wait in
 * `pending`; a change of a chat's state first flushes the messages before it, so order is
 * kept where it matters.
 */
export async function applyEvent(
  client: DatabaseClient,
  pending: PendingWrites,
  event: ConversationEvent,
): Promise<void> {
  switch (event.type) {
    case 'message_received':
    case 'message_sent':
    case 'delivery_status':
    case 'consent':
    case 'notice_skipped':
      pending.add(event);
      return;
    case 'handoff_started':
      await pending.flushMessages();
      await startHandoff(client, event);
      return;
    case 'handoff_ended':
      await pending.flushMessages();
      await endHandoff(client, event);
      return;
    case 'chat_closed':
      await pending.flushMessages();
      await closeChat(client, event);
      return;
    case 'ticket_opened':
      await writeTicketOpened(client, event);
      return;
    case 'ticket_status':
      await writeTicketStatus(client, event);
      return;
    case 'chat_erased':
      await pending.flushMessages();
      await pending.flushStatuses();
      await eraseChatArchive(client, event.chatId, { keepEventId: event.id });
      return;
  }
}
