import { type ConversationEvent, decodeConversationEntries, type RejectedConversationEntry } from '@helpline/contracts';
import {
  createStreamGroupReader,
  type Database,
  type StreamGroupReader,
  type StreamGroupReaderOptions,
} from '@helpline/runtime';
import type { ArchiveMetrics } from './archive-metrics.js';
import type { ArchiveResult } from './archive-writer.js';

/**
 * Runtime's reader options (the stream, group, batch, `ARCHIVE_LINGER_MS` as `lingerMs`,
 * claim) with the archive in place of a handler.
 */
export interface EventConsumerOptions
  extends Pick<
    StreamGroupReaderOptions,
    'redis' | 'stream' | 'group' | 'consumer' | 'batchSize' | 'blockMs' | 'lingerMs' | 'claimIdleMs' | 'logger'
  > {
  db: Database;
  archive: (db: Database, events: readonly ConversationEvent[]) => Promise<ArchiveResult>;
  metrics: ArchiveMetrics;
}

export type EventConsumer = StreamGroupReader;

/**
 * The desk's reader of the conversation event stream: runtime's stream reader with the
 * archive as its handler, one transaction per batch, acknowledged after COMMIT. The last
 * group done with an entry deletes it, so the stream holds only what some reader has not
 * processed: its length is the backlog the gateway's cap is alerted against, and an erased
 * chat's texts do not linger in Redis once archived. A replay applies nothing twice
 * (archive ids).
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { db, metrics, logger } = options;
  return createStreamGroupReader({
    ...options,
    purpose: 'the archive',
    async handle(entries) {
      const { events, rejected } = decodeConversationEntries(entries);
      if (rejected.length > 0) await keepRejected(db, rejected, options);
      const result = await options.archive(db, events);
      metrics.archived.inc(result.applied);
      if (result.duplicates > 0) metrics.duplicates.inc(result.duplicates);
    },
    hooks: {
      onBatch: (_entries, seconds) => metrics.batchDuration.observe(seconds),
      onReclaimed(entries, deleted) {
        if (entries > 0) metrics.reclaimed.inc(entries);
        if (deleted > 0) metrics.reclaimedDeleted.inc(deleted);
      },
      onFailure: () => metrics.failures.inc(),
    },
    logger,
  });
}

/**
 * Entries that are no event of any known version can never be archived: they are kept in
 * `rejected_events` for an operator and acknowledged with their batch, so none is replayed
 * forever.
 */
async function keepRejected(
  db: Database,
  rejected: readonly RejectedConversationEntry[],
  { metrics, logger }: Pick<EventConsumerOptions, 'metrics' | 'logger'>,
): Promise<void> {
  // PostgreSQL text holds no NUL; a reject is kept for reading, so a long one is cut.
  const raws = rejected.map((r) => r.raw.replaceAll('\u0000', '').slice(0, 65_536));
  await db.query(
    `INSERT INTO rejected_events (stream_id, reason, raw)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (stream_id) DO NOTHING`,
    [rejected.map((r) => r.id), rejected.map((r) => r.reason), raws],
    'archive_rejected',
  );
  metrics.rejected.inc(rejected.length);
  logger.warn(
    { count: rejected.length, reasons: rejected.map((r) => r.reason) },
    'stream entries that are no conversation event kept in rejected_events',
  );
}
