import type { DatabaseClient } from '@helpline/runtime';
import { chatTouches, writeChatTouches } from './chat-touches.js';
import type { MessageEvent, Sent } from './message-events.js';
import { messageRow } from './message-row.js';

/**
 * A batch's messages in multi-row statements: their chats first, then the messages in
 * each chat's current conversation, then the classifications answers carry.
 */
export async function writeMessages(client: DatabaseClient, messages: readonly MessageEvent[]): Promise<void> {
  if (messages.length === 0) return;
  await writeChatTouches(client, chatTouches(messages));
  const rows = messages.map(messageRow);
  const columns = rows[0]?.map((_, i) => rows.map((row) => row[i])) ?? [];
  await client.query(
    `INSERT INTO messages (message_id, chat_ref, conversation, direction, kind, body, media_id, mime_type,
                           classification, correlation_id, purpose, reply_to, provider_message_id, customer_id,
                           skipped, at, search_text)
     SELECT u.message_id, c.id, c.conversation, u.direction, u.kind, u.body, u.media_id, u.mime_type,
            u.classification::jsonb, u.correlation_id, u.purpose, u.reply_to, u.provider_message_id, u.customer_id,
            u.skipped, u.at, u.search_text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                   $16::timestamptz[], $17::text[])
            AS u(message_id, channel, chat_id, direction, kind, body, media_id, mime_type, classification,
                 correlation_id, purpose, reply_to, provider_message_id, customer_id, skipped, at, search_text)
       JOIN chats c ON c.channel = u.channel AND c.chat_id = u.chat_id
     ON CONFLICT (message_id) DO NOTHING`,
    columns,
    'archive_messages',
  );
  // The classification an answer carries belongs first to the customer's message it answers.
  const classified = messages.filter(
    (e): e is Sent => e.type === 'message_sent' && e.message.classification !== undefined,
  );
  if (classified.length > 0) {
    await client.query(
      `UPDATE messages m SET classification = u.classification::jsonb
         FROM unnest($1::text[], $2::text[]) AS u(message_id, classification)
        WHERE m.message_id = u.message_id AND m.direction = 'inbound' AND m.classification IS NULL`,
      [classified.map((e) => e.message.correlationId), classified.map((e) => JSON.stringify(e.message.classification))],
      'archive_classification',
    );
  }
}
