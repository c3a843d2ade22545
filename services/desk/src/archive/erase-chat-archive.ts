import type { DatabaseClient } from '@helpline/runtime';

export interface ArchiveErasure {
  chats: number;
  messages: number;
  statuses: number;
}

/**
 * Removes a chat from the archive: its chat rows (messages and handoffs go with them by
 * cascade), its delivery statuses, its tickets and the ids of its archived events. Consent records stay:
 * they are the evidence of what the customer authorised and when, the withdrawal included,
 * which the controller must be able to show (docs/services/desk.md, "Erasure").
 */
export async function eraseChatArchive(
  client: Pick<DatabaseClient, 'query'>,
  chatId: string,
  options: { keepEventId?: string } = {},
): Promise<ArchiveErasure> {
  const messages = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM messages m JOIN chats c ON c.id = m.chat_ref WHERE c.chat_id = $1`,
    [chatId],
    'erase_count',
  );
  const chats = await client.query(`DELETE FROM chats WHERE chat_id = $1`, [chatId], 'erase_chats');
  const statuses = await client.query(`DELETE FROM delivery_statuses WHERE chat_id = $1`, [chatId], 'erase_statuses');
  await client.query(`DELETE FROM tickets WHERE chat_id = $1`, [chatId], 'erase_tickets');
  // The erasure's own event id stays, so that reading it again erases nothing twice.
  await client.query(
    `DELETE FROM archived_events WHERE chat_id = $1 AND id IS DISTINCT FROM $2`,
    [chatId, options.keepEventId ?? null],
    'erase_event_ids',
  );
  return {
    chats: chats.rowCount ?? 0,
    messages: Number(messages.rows[0]?.n ?? 0),
    statuses: statuses.rowCount ?? 0,
  };
}
