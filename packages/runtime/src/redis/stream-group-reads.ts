import type { Redis } from 'ioredis';
import { acknowledgeStreamEntries } from './stream-acknowledge.js';

/** One stream entry: its id and the flat `[field, value, ...]` list Redis keeps. */
export interface StreamEntry {
  id: string;
  fields: string[];
}

/** An entry as Redis returns it; the fields are null when the entry was deleted while pending. */
type RawEntry = [id: string, fields: string[] | null];
type ReadReply = [stream: string, entries: RawEntry[]][] | null;

export interface StreamGroupReadsOptions {
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  /** Entries taken over from a consumer that is gone, and those found deleted meanwhile. */
  onReclaimed?: (entries: number, deleted: number) => void;
}

export interface StreamGroupReads {
  /** Makes the group (and the stream) if missing; from the stream's start, so nothing written earlier is skipped. */
  ensureGroup(): Promise<void>;
  /** The next batch: this consumer's own pending entries first, then abandoned ones, then new ones. */
  next(block: boolean): Promise<StreamEntry[]>;
  /** After a failure: the batch in hand was not acknowledged, so the next read starts with it again. */
  rereadOwnPending(): void;
  acknowledge(entries: readonly StreamEntry[]): Promise<void>;
}

/** The longest wait between two reclaim passes, however long `claimIdleMs` is. */
const MAX_CLAIM_INTERVAL_MS = 30_000;

/**
 * The Redis side of one consumer in a group: which entries to take next, and their
 * acknowledgement. Entries deleted while pending (an erasure took them) hold nothing to
 * handle: they are acknowledged here and never reach the handler, or they would stay
 * pending forever.
 */
export function createStreamGroupReads(options: StreamGroupReadsOptions): StreamGroupReads {
  const { redis, stream, group, consumer, batchSize } = options;
  let ownPendingFirst = true;
  let claimCursor = '0-0';
  let lastClaimAt = 0;

  async function read(id: string, block: boolean): Promise<RawEntry[]> {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', batchSize];
    if (block) args.push('BLOCK', options.blockMs);
    args.push('STREAMS', stream, id);
    const reply = (await (redis.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(...args)) as ReadReply;
    return reply?.[0]?.[1] ?? [];
  }

  /** Acknowledges the deleted entries among `raw`; returns the live ones. */
  async function live(raw: readonly RawEntry[]): Promise<StreamEntry[]> {
    const gone = raw.filter(([, fields]) => !Array.isArray(fields)).map(([id]) => id);
    if (gone.length > 0) await redis.xack(stream, group, ...gone);
    return raw.filter((e): e is [string, string[]] => Array.isArray(e[1])).map(([id, fields]) => ({ id, fields }));
  }

  async function readOwnPending(): Promise<StreamEntry[]> {
    for (;;) {
      const raw = await read('0', false);
      const entries = await live(raw);
      // A page of deleted entries only: acknowledged now, so the next page starts past them.
      if (entries.length > 0 || raw.length === 0) return entries;
    }
  }

  async function claimAbandoned(): Promise<StreamEntry[]> {
    const reply = (await redis.xautoclaim(
      stream,
      group,
      consumer,
      options.claimIdleMs,
      claimCursor,
      'COUNT',
      batchSize,
    )) as [cursor: string, entries: RawEntry[], deleted?: string[]];
    claimCursor = reply[0] ?? '0-0';
    // Redis 7 drops deleted entries from the pending list itself and names them apart; 6.2
    // hands them over with null fields, which `live` acknowledges.
    const raw = reply[1] ?? [];
    const entries = await live(raw);
    const deleted = (reply[2]?.length ?? 0) + raw.length - entries.length;
    if (entries.length > 0 || deleted > 0) options.onReclaimed?.(entries.length, deleted);
    return entries;
  }

  return {
    async ensureGroup() {
      try {
        await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('BUSYGROUP')) throw error;
      }
    },
    async next(block) {
      if (ownPendingFirst) {
        const own = await readOwnPending();
        if (own.length > 0) return own;
        ownPendingFirst = false;
      }
      // A reclaim pass walks the pending list a page per read (the cursor), then rests.
      if (Date.now() - lastClaimAt >= Math.min(options.claimIdleMs, MAX_CLAIM_INTERVAL_MS)) {
        const claimed = await claimAbandoned();
        if (claimCursor === '0-0') lastClaimAt = Date.now();
        if (claimed.length > 0) return claimed;
      }
      // New entries cannot have been deleted before this read handed them out.
      return (await read('>', block)).map(([id, fields]) => ({ id, fields: fields ?? [] }));
    },
    rereadOwnPending() {
      ownPendingFirst = true;
    },
    async acknowledge(entries) {
      // XACK, and XDEL of what no other group still needs, in one script.
      await acknowledgeStreamEntries(
        redis,
        stream,
        group,
        entries.map((e) => e.id),
      );
    },
  };
}
