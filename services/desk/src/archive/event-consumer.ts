import { setTimeout as sleep } from 'node:timers/promises';
import {
  CONVERSATION_STREAM_FIELD,
  type ConversationEvent,
  ConversationEvent as EventSchema,
} from '@helpline/contracts';
import { acknowledgeStreamEntries, type Database, type Logger, type Redis } from '@helpline/runtime';
import type { ArchiveResult } from './archive-writer.js';
import type { ArchiveMetrics } from './archive-metrics.js';

/** One stream entry as Redis returns it: id and the flat field/value list. */
type StreamEntry = [id: string, fields: string[]];

export interface EventConsumerOptions {
  /** A connection for blocking reads (`worker` role: it waits out Redis outages). */
  redis: Redis;
  db: Database;
  stream: string;
  group: string;
  /** Unique per process: its pending entries are its own until another one reclaims them. */
  consumer: string;
  batchSize: number;
  blockMs: number;
  /**
   * After a batch smaller than `batchSize`, wait this long before reading again, so that
   * under a steady trickle each transaction carries many events instead of one or two: the
   * fixed cost of a batch (BEGIN, the statements, COMMIT, XACK) is then paid a few times a
   * second rather than once per event. It bounds how far the archive trails the chat.
   */
  lingerMs: number;
  /** Entries pending this long with a consumer that died are taken over (XAUTOCLAIM). */
  claimIdleMs: number;
  archive: (db: Database, events: readonly ConversationEvent[]) => Promise<ArchiveResult>;
  metrics: ArchiveMetrics;
  logger: Logger;
}

export interface EventConsumer {
  start(): void;
  /** Stops reading; waits for the batch in hand to be committed and acknowledged (or not). */
  stop(): Promise<void>;
  running(): boolean;
  /** Reads and archives until the stream has nothing this consumer can take (tests, bench). */
  drain(): Promise<number>;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * The desk's reader of the conversation event stream: a consumer group, batches of
 * XREADGROUP, one transaction per batch, XACK only after COMMIT. Entries acknowledged are
 * also deleted (XDEL) in the same script once no other group (the accounts service's
 * broadcast report) still needs them: the stream then holds only what some reader has not
 * processed yet, so its length is the backlog the gateway's cap is alerted against, and an
 * erased chat's texts do not linger in Redis once archived.
 *
 * After a crash the entries it had read and not acknowledged are pending: this process
 * re-reads its own first (`0`), and entries of a consumer that is gone are claimed after
 * `claimIdleMs` (XAUTOCLAIM). A replay applies nothing twice (archive ids).
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { redis, stream, group, consumer, logger, metrics } = options;
  let loop: Promise<void> | undefined;
  let stopping = false;
  let ownPendingFirst = true;
  let claimCursor = '0-0';
  let lastClaimAt = 0;
  let lingering: AbortController | undefined;

  async function ensureGroup(): Promise<void> {
    try {
      // From the beginning: events written before the desk first ran are archived too.
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('BUSYGROUP')) throw error;
    }
  }

  async function readOwnPending(): Promise<StreamEntry[]> {
    const reply = (await redis.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      options.batchSize,
      'STREAMS',
      stream,
      '0',
    )) as [string, StreamEntry[]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    // Entries deleted while pending (an erasure took them) come back with null fields:
    // nothing left to archive, so they are acknowledged and leave the pending list.
    const gone = entries.filter(([, fields]) => !Array.isArray(fields)).map(([id]) => id);
    if (gone.length > 0) await redis.xack(stream, group, ...gone);
    return entries.filter(([, fields]) => Array.isArray(fields));
  }

  async function claimAbandoned(): Promise<StreamEntry[]> {
    const reply = (await redis.xautoclaim(
      stream,
      group,
      consumer,
      options.claimIdleMs,
      claimCursor,
      'COUNT',
      options.batchSize,
    )) as [string, StreamEntry[], string[]?];
    claimCursor = reply[0] ?? '0-0';
    const deleted = reply[2] ?? [];
    if (deleted.length > 0) metrics.reclaimedDeleted.inc(deleted.length);
    const entries = (reply[1] ?? []).filter(([, fields]) => Array.isArray(fields));
    if (entries.length > 0) metrics.reclaimed.inc(entries.length);
    return entries;
  }

  async function readNew(block: boolean): Promise<StreamEntry[]> {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', options.batchSize];
    if (block) args.push('BLOCK', options.blockMs);
    args.push('STREAMS', stream, '>');
    const reply = (await (redis.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(...args)) as
      | [string, StreamEntry[]][]
      | null;
    return reply?.[0]?.[1] ?? [];
  }

  async function nextEntries(block: boolean): Promise<StreamEntry[]> {
    if (ownPendingFirst) {
      const own = await readOwnPending();
      if (own.length > 0) return own;
      ownPendingFirst = false;
    }
    if (Date.now() - lastClaimAt >= Math.min(options.claimIdleMs, 30_000)) {
      const claimed = await claimAbandoned();
      if (claimCursor === '0-0') lastClaimAt = Date.now();
      if (claimed.length > 0) return claimed;
    }
    return readNew(block);
  }

  /** Parses each entry; the ones that are no event of any known version are set aside. */
  async function parse(entries: readonly StreamEntry[]): Promise<ConversationEvent[]> {
    const events: ConversationEvent[] = [];
    const rejected: { id: string; reason: string; raw: string }[] = [];
    for (const [id, fields] of entries) {
      const at = fields.indexOf(CONVERSATION_STREAM_FIELD);
      const raw = at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? '') : '';
      let reason: string;
      try {
        const parsed = EventSchema.safeParse(JSON.parse(raw));
        if (parsed.success) {
          events.push(parsed.data);
          continue;
        }
        reason = parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || 'event'}: ${i.message}`)
          .join('; ');
      } catch {
        reason = 'not JSON';
      }
      rejected.push({ id, reason, raw: raw.replaceAll('\u0000', '').slice(0, 65_536) });
    }
    if (rejected.length > 0) {
      await options.db.query(
        `INSERT INTO rejected_events (stream_id, reason, raw)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (stream_id) DO NOTHING`,
        [rejected.map((r) => r.id), rejected.map((r) => r.reason), rejected.map((r) => r.raw)],
        'archive_rejected',
      );
      metrics.rejected.inc(rejected.length);
      logger.warn(
        { count: rejected.length, reasons: rejected.map((r) => r.reason) },
        'stream entries that are no conversation event kept in rejected_events',
      );
    }
    return events;
  }

  async function acknowledge(entries: readonly StreamEntry[]): Promise<void> {
    // XACK, and XDEL of the entries no other group (the accounts service's broadcast report)
    // still needs, in one script: the last group done with an entry deletes it.
    await acknowledgeStreamEntries(
      redis,
      stream,
      group,
      entries.map(([id]) => id),
    );
  }

  /** One batch: read, archive (COMMIT), acknowledge. Returns how many entries it took. */
  async function step(block: boolean): Promise<number> {
    const entries = await nextEntries(block);
    if (entries.length === 0) return 0;
    const started = performance.now();
    const events = await parse(entries);
    const result = await options.archive(options.db, events);
    await acknowledge(entries);
    metrics.batchDuration.observe((performance.now() - started) / 1000);
    metrics.archived.inc(result.applied);
    if (result.duplicates > 0) metrics.duplicates.inc(result.duplicates);
    return entries.length;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        if (failures > 0) await ensureGroup();
        const taken = await step(true);
        failures = 0;
        if (taken > 0 && taken < options.batchSize && options.lingerMs > 0) await linger();
      } catch (error) {
        if (stopping) break;
        failures += 1;
        // NOGROUP: the stream or the group went (a FLUSHALL, a new Redis): made again above.
        // Whatever failed, the batch in hand was not acknowledged: it is read again from
        // this consumer's pending entries.
        ownPendingFirst = true;
        metrics.failures.inc();
        const wait = Math.min(100 * 2 ** Math.min(failures, 10), MAX_BACKOFF_MS);
        if (failures === 1 || failures % 20 === 0) {
          logger.warn({ err: error, failures, retryInMs: wait }, 'archiving a batch failed; it will be read again');
        }
        await sleep(wait);
      }
    }
  }

  /** Waits `lingerMs`, or less when the consumer is stopped meanwhile. */
  async function linger(): Promise<void> {
    lingering = new AbortController();
    try {
      await sleep(options.lingerMs, undefined, { signal: lingering.signal });
    } catch {
      // stopped: the loop sees `stopping` and ends
    } finally {
      lingering = undefined;
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = ensureGroup()
        .catch((error) => logger.warn({ err: error }, 'consumer group not created yet; retrying'))
        .then(run);
    },
    async stop() {
      stopping = true;
      lingering?.abort();
      // A blocking XREADGROUP holds the connection: disconnecting ends it at once. The batch
      // in hand, if any, is either committed and acknowledged, or read again later.
      redis.disconnect();
      await loop;
      loop = undefined;
    },
    running: () => loop !== undefined && !stopping,
    async drain() {
      await ensureGroup();
      let total = 0;
      for (;;) {
        const n = await step(false);
        if (n === 0) return total;
        total += n;
      }
    },
  };
}
