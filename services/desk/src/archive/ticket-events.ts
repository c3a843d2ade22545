import type { ConversationEventOf } from '@helpline/contracts';
import type { DatabaseClient } from '@helpline/runtime';

// The tickets the tickets service opened for a chat, and their status changes.

export async function writeTicketOpened(
  client: DatabaseClient,
  event: ConversationEventOf<'ticket_opened'>,
): Promise<void> {
  await client.query(
    `INSERT INTO tickets (ticket_id, channel, chat_id, number, provider, status, open, opened_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, true, $7, $7)
     ON CONFLICT (ticket_id) DO UPDATE SET number = EXCLUDED.number, provider = EXCLUDED.provider,
       opened_at = EXCLUDED.opened_at`,
    [
      event.ticket.id,
      event.channel,
      event.chatId,
      event.ticket.number,
      event.ticket.provider,
      event.ticket.status,
      event.at,
    ],
    'archive_ticket_opened',
  );
}

export async function writeTicketStatus(
  client: DatabaseClient,
  event: ConversationEventOf<'ticket_status'>,
): Promise<void> {
  // Only a newer status replaces the one kept: a replayed older change does not reopen.
  await client.query(
    `INSERT INTO tickets (ticket_id, channel, chat_id, status, open, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (ticket_id) DO UPDATE SET status = EXCLUDED.status, open = EXCLUDED.open,
       updated_at = EXCLUDED.updated_at
     WHERE tickets.updated_at <= EXCLUDED.updated_at`,
    [event.ticket.id, event.channel, event.chatId, event.ticket.status, event.ticket.open, event.at],
    'archive_ticket_status',
  );
}
