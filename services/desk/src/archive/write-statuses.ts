import type { ConversationEventOf } from '@helpline/contracts';
import type { DatabaseClient } from '@helpline/runtime';
import { storableText } from './fold-text.js';

/** Statuses move forward only; `failed` is final (the gateway ranks them the same way). */
const STATUS_RANK = { sent: 1, delivered: 2, read: 3, played: 4, failed: 9 } as const;

/** Delivery statuses, each (message, status) once; the rank lets readers take the furthest. */
export async function writeStatuses(
  client: DatabaseClient,
  statuses: readonly ConversationEventOf<'delivery_status'>[],
): Promise<void> {
  if (statuses.length === 0) return;
  await client.query(
    `INSERT INTO delivery_statuses (provider_message_id, status, rank, chat_id, at, error_code, error_title)
     SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::timestamptz[], $6::int[], $7::text[])
     ON CONFLICT (provider_message_id, status) DO NOTHING`,
    [
      statuses.map((s) => s.providerMessageId),
      statuses.map((s) => s.status),
      statuses.map((s) => STATUS_RANK[s.status]),
      statuses.map((s) => s.chatId),
      statuses.map((s) => s.at),
      statuses.map((s) => s.error?.code ?? null),
      statuses.map((s) => (s.error?.title ? storableText(s.error.title) : null)),
    ],
    'archive_statuses',
  );
}
