import type { ConversationEventOf } from '@helpline/contracts';
import type { DatabaseClient } from '@helpline/runtime';

// A chat's state as its events change it: handed to a person, back to the bot, closed.

export async function startHandoff(
  client: DatabaseClient,
  event: ConversationEventOf<'handoff_started'>,
): Promise<void> {
  // The chat usually exists (consent comes first); a handoff is never lost for want of it.
  const chat = await client.query<{ id: string; conversation: number }>(
    `INSERT INTO chats AS c (channel, chat_id, state, conversation_started_at)
     VALUES ($1, $2, 'handoff', $3)
     ON CONFLICT (channel, chat_id) DO UPDATE SET state = 'handoff'
     RETURNING id, conversation`,
    [event.channel, event.chatId, event.at],
    'archive_handoff_chat',
  );
  const row = chat.rows[0];
  if (!row) return;
  await client.query(
    `INSERT INTO handoffs (event_id, chat_ref, conversation, reason, started_at, until)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id) DO NOTHING`,
    [event.id, row.id, row.conversation, event.reason, event.at, event.until],
    'archive_handoff',
  );
}

/** The open handoff ended and the chat back to the bot (`open`), unless it was closed meanwhile. */
export async function endHandoff(client: DatabaseClient, event: ConversationEventOf<'handoff_ended'>): Promise<void> {
  await endHandoffs(client, event.channel, event.chatId, event.at, event.reason);
  await client.query(
    `UPDATE chats SET state = 'open' WHERE channel = $1 AND chat_id = $2 AND state = 'handoff'`,
    [event.channel, event.chatId],
    'archive_handoff_state',
  );
}

/** Closed by staff: an open handoff ends with it; the customer's next message reopens the chat. */
export async function closeChat(client: DatabaseClient, event: ConversationEventOf<'chat_closed'>): Promise<void> {
  await endHandoffs(client, event.channel, event.chatId, event.at, 'closed');
  await client.query(
    `UPDATE chats SET state = 'closed', closed_at = $3 WHERE channel = $1 AND chat_id = $2`,
    [event.channel, event.chatId, event.at],
    'archive_close',
  );
}

async function endHandoffs(client: DatabaseClient, channel: string, chatId: string, at: string, reason: string) {
  await client.query(
    `UPDATE handoffs h SET ended_at = $3, end_reason = $4
       FROM chats c
      WHERE h.chat_ref = c.id AND c.channel = $1 AND c.chat_id = $2 AND h.ended_at IS NULL`,
    [channel, chatId, at, reason],
    'archive_handoff_end',
  );
}
