import type { ConversationEventOf } from '@helpline/contracts';
import type { DatabaseClient } from '@helpline/runtime';

/**
 * The `kind` of the row a notice held back at send time (`notice_skipped`) becomes: an
 * outbound row the customer never received, shown to staff with status `skipped` and the
 * reason, and left out of the statistics (nothing was said to anyone).
 */
export const HELD_NOTICE_KIND = 'notice_skipped';

/**
 * Notices the gateway held back (opted out, no consent): one outbound row each in the
 * chat's current conversation, keyed by the outbound job id, so staff see in the history
 * that a notice was due and why it did not go. The chat row is created when missing (a
 * chat without consent may never have been archived) but not touched otherwise: nothing
 * reached the customer, so the last message and its direction stay as they were.
 */
export async function writeHeldNotices(
  client: DatabaseClient,
  held: readonly ConversationEventOf<'notice_skipped'>[],
): Promise<void> {
  if (held.length === 0) return;
  await client.query(
    `INSERT INTO chats (channel, chat_id, conversation_started_at)
     SELECT DISTINCT ON (u.channel, u.chat_id) u.channel, u.chat_id, u.at
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(channel, chat_id, at)
     ON CONFLICT (channel, chat_id) DO NOTHING`,
    [held.map((e) => e.channel), held.map((e) => e.chatId), held.map((e) => e.at)],
    'archive_held_chats',
  );
  await client.query(
    `INSERT INTO messages (message_id, chat_ref, conversation, direction, kind, body, correlation_id, purpose,
                           skipped, at, search_text)
     SELECT u.message_id, c.id, c.conversation, 'outbound', '${HELD_NOTICE_KIND}', '', u.correlation_id, u.purpose,
            u.reason, u.at, ''
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
            AS u(message_id, channel, chat_id, correlation_id, purpose, reason, at)
       JOIN chats c ON c.channel = u.channel AND c.chat_id = u.chat_id
     ON CONFLICT (message_id) DO NOTHING`,
    [
      held.map((e) => e.messageId),
      held.map((e) => e.channel),
      held.map((e) => e.chatId),
      held.map((e) => e.correlationId),
      held.map((e) => e.notice.purpose),
      held.map((e) => e.reason),
      held.map((e) => e.at),
    ],
    'archive_held_notices',
  );
}
