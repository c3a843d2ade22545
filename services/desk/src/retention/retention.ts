import type { Database, Logger } from '@helpline/runtime';

/** Messages deleted per statement: short transactions, no long lock on the table. */
const BATCH_ROWS = 5_000;

/**
 * Deletes archived messages (and their delivery statuses) older than `days`, in batches,
 * and the chats left with no message. Consent records are not touched: evidence is kept
 * as long as the data it authorised may be processed (docs/services/desk.md).
 */
export async function applyRetention(
  db: Database,
  days: number,
  now: Date,
  logger: Logger,
): Promise<{ messages: number; statuses: number; chats: number }> {
  const cutoff = new Date(now.getTime() - days * 24 * 3600_000).toISOString();
  let messages = 0;
  let statuses = 0;
  for (;;) {
    const deleted = await db.query<{ provider_message_id: string | null }>(
      `DELETE FROM messages WHERE id IN (
         SELECT id FROM messages WHERE at < $1::timestamptz ORDER BY at LIMIT $2)
       RETURNING provider_message_id`,
      [cutoff, BATCH_ROWS],
      'retention_messages',
    );
    messages += deleted.rowCount ?? 0;
    const providerIds = deleted.rows.map((r) => r.provider_message_id).filter((id): id is string => id !== null);
    if (providerIds.length > 0) {
      const gone = await db.query(
        `DELETE FROM delivery_statuses WHERE provider_message_id = ANY($1::text[])`,
        [providerIds],
        'retention_statuses',
      );
      statuses += gone.rowCount ?? 0;
    }
    if ((deleted.rowCount ?? 0) < BATCH_ROWS) break;
  }
  // Statuses of messages the archive never held (a notice sent before consent) age out too.
  const orphans = await db.query(
    `DELETE FROM delivery_statuses WHERE at < $1::timestamptz`,
    [cutoff],
    'retention_orphans',
  );
  statuses += orphans.rowCount ?? 0;
  const chats = await db.query(
    `DELETE FROM chats c WHERE c.last_message_at < $1::timestamptz
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.chat_ref = c.id)`,
    [cutoff],
    'retention_chats',
  );
  const report = { messages, statuses, chats: chats.rowCount ?? 0 };
  logger.info({ retention: report, days }, 'archive retention applied');
  return report;
}
