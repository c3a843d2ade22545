import type { ConversationEvent } from '@helpline/contracts';
import type { Database } from '@helpline/runtime';
import { applyEvent } from './apply-event.js';
import { createPendingWrites } from './pending-writes.js';

export { HELD_NOTICE_KIND } from './write-held-notices.js';

export interface ArchiveResult {
  /** Events applied now. */
  applied: number;
  /** Events already archived (a batch read again after a crash, a repeated fact). */
  duplicates: number;
}

/**
 * Writes one batch of events in one transaction, each event once: the ids go into
 * `archived_events` first and only the ids that were not there are applied. The caller
 * acknowledges the batch in Redis only after this resolves (after COMMIT), so a crash at
 * any point replays the batch and the replay applies nothing twice.
 *
 * Messages and statuses are written in multi-row statements; a change of a chat's state
 * (handoff, close, erasure) first flushes the messages before it, so order is kept where
 * it matters.
 */
export async function archiveBatch(db: Database, events: readonly ConversationEvent[]): Promise<ArchiveResult> {
  if (events.length === 0) return { applied: 0, duplicates: 0 };
  return db.transaction(async (client) => {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO archived_events (id, chat_id)
       SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [events.map((e) => e.id), events.map((e) => e.chatId)],
      'archive_ids',
    );
    const fresh = new Set(inserted.rows.map((r) => r.id));
    const pending = createPendingWrites(client);
    let applied = 0;
    for (const event of events) {
      // A fact repeated inside one batch is applied once.
      if (!fresh.delete(event.id)) continue;
      applied += 1;
      await applyEvent(client, pending, event);
    }
    await pending.flushAll();
    return { applied, duplicates: events.length - applied };
  }, 'archive_batch');
}
