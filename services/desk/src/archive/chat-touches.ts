import type { DatabaseClient } from '@helpline/runtime';
import { storableText } from './fold-text.js';
import type { MessageEvent } from './message-events.js';

export interface ChatTouch {
  channel: string;
  chatId: string;
  customerId: string | null;
  name: string | null;
  first: string;
  last: string;
  lastDirection: 'inbound' | 'outbound';
  reopens: boolean;
}

/** One row per chat of the batch: first and last message, the latest customer id and name. */
export function chatTouches(messages: readonly MessageEvent[]): ChatTouch[] {
  const chats = new Map<string, ChatTouch>();
  for (const event of messages) {
    const key = `${event.channel}\u0000${event.chatId}`;
    const direction = event.type === 'message_received' ? 'inbound' : 'outbound';
    const name = event.type === 'message_received' ? (event.message.senderName ?? null) : null;
    const touch = chats.get(key);
    if (!touch) {
      chats.set(key, {
        channel: event.channel,
        chatId: event.chatId,
        customerId: event.message.customerId ?? null,
        name,
        first: event.at,
        last: event.at,
        lastDirection: direction,
        reopens: direction === 'inbound',
      });
      continue;
    }
    if (Date.parse(event.at) < Date.parse(touch.first)) touch.first = event.at;
    if (Date.parse(event.at) >= Date.parse(touch.last)) {
      touch.last = event.at;
      touch.lastDirection = direction;
    }
    touch.customerId = event.message.customerId ?? touch.customerId;
    touch.name = name ?? touch.name;
    touch.reopens ||= direction === 'inbound';
  }
  return [...chats.values()];
}

/**
 * The chats of a batch's messages: reopened when a customer wrote after staff closed them,
 * created when new, their first and last message, direction, customer id and name kept.
 */
export async function writeChatTouches(client: DatabaseClient, touches: readonly ChatTouch[]): Promise<void> {
  // A customer's message after staff closed the chat starts its next conversation; a late
  // answer of the bot does not.
  const reopening = touches.filter((t) => t.reopens);
  if (reopening.length > 0) {
    await client.query(
      `UPDATE chats c
         SET conversation = c.conversation + 1, state = 'open', closed_at = NULL, conversation_started_at = u.first
        FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(channel, chat_id, first)
       WHERE c.channel = u.channel AND c.chat_id = u.chat_id AND c.state = 'closed'`,
      [reopening.map((t) => t.channel), reopening.map((t) => t.chatId), reopening.map((t) => t.first)],
      'archive_reopen',
    );
  }
  await client.query(
    `INSERT INTO chats AS c (channel, chat_id, customer_id, name, conversation_started_at,
                             first_message_at, last_message_at, last_direction)
     SELECT u.channel, u.chat_id, u.customer_id, u.name, u.first, u.first, u.last, u.last_direction
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[])
            AS u(channel, chat_id, customer_id, name, first, last, last_direction)
     ON CONFLICT (channel, chat_id) DO UPDATE SET
       customer_id = COALESCE(excluded.customer_id, c.customer_id),
       name = COALESCE(excluded.name, c.name),
       first_message_at = LEAST(c.first_message_at, excluded.first_message_at),
       last_direction = CASE WHEN c.last_message_at IS NULL OR excluded.last_message_at >= c.last_message_at
                             THEN excluded.last_direction ELSE c.last_direction END,
       last_message_at = GREATEST(c.last_message_at, excluded.last_message_at)`,
    [
      touches.map((t) => t.channel),
      touches.map((t) => t.chatId),
      touches.map((t) => (t.customerId === null ? null : storableText(t.customerId))),
      touches.map((t) => (t.name === null ? null : storableText(t.name))),
      touches.map((t) => t.first),
      touches.map((t) => t.last),
      touches.map((t) => t.lastDirection),
    ],
    'archive_chats',
  );
}
