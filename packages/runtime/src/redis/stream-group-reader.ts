import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createStreamGroupReads, type StreamEntry } from './stream-group-reads.js';

export type { StreamEntry } from './stream-group-reads.js';

export interface StreamGroupReaderHooks {
  /** A batch handled and acknowledged: how many entries, and the seconds from its read to its acknowledgement. */
  onBatch?(entries: number, seconds: number): void;
  /** Entries taken over from a consumer that is gone (XAUTOCLAIM), and those found deleted meanwhile. */
  onReclaimed?(entries: number, deleted: number): void;
  /** A batch failed (Redis or the handler's store away, or the handler threw): it is read again. */
  onFailure?(error: unknown): void;
}

export interface StreamGroupReaderOptions {
  /**
   * A connection of the reader's own in the `worker` role (it waits out Redis outages):
   * XREADGROUP blocks it, and `stop` ends it.
   */
  redis: Redis;
  stream: string;
  group: string;
  /** Unique per process: its pending entries are its own until another consumer reclaims them. */
  consumer: string;
  batchSize: number;
  blockMs: number;
  /**
   * After a batch smaller than `batchSize`, wait this long before reading again, so that under
   * a steady trickle each batch carries many entries instead of one or two: the fixed cost of
   * a batch (a transaction, the acknowledgement) is then paid a few times a second rather than
   * once per entry. It bounds how far the reader trails the stream; a backlog is read in full
   * batches without waiting. 0: no wait.
   */
  lingerMs: number;
  /** Entries pending this long with a consumer that is gone are taken over (XAUTOCLAIM). */
  claimIdleMs: number;
  /**
   * Handles one batch, in stream order. It resolves once what it did is durable (after
   * COMMIT): only then are the entries acknowledged. If it throws, the whole batch is read
   * again after a pause, so it must apply nothing twice; an entry that can never succeed (no
   * valid payload) is the handler's to set aside and resolve, never to throw on.
   */
  handle(entries: readonly StreamEntry[]): Promise<void>;
  hooks?: StreamGroupReaderHooks;
  logger: Logger;
  /** What the reader is for, in its log lines ("the archive", "the broadcast report"). */
  purpose: string;
  /** How long `stop` waits for the batch in hand before it ends the connection (default 5 s). */
  stopWaitMs?: number;
}

export interface StreamGroupReader {
  /** Makes the group if missing and reads until stopped, riding out Redis going away. */
  start(): void;
  /** Stops reading; waits for the batch in hand to be handled and acknowledged (within `stopWaitMs`). */
  stop(): Promise<void>;
  running(): boolean;
  /** Reads and handles until nothing is left for this consumer, without blocking or lingering (tests, bench). */
  drain(): Promise<number>;
}

const MAX_BACKOFF_MS = 5_000;
const backoff = (failures: number) => Math.min(100 * 2 ** Math.min(failures, 10), MAX_BACKOFF_MS);

/**
 * One consumer of a Redis stream in a consumer group, at least once: the group made from
 * the stream's start (again after a FLUSHALL or a new Redis), XREADGROUP with COUNT and
 * BLOCK, the handler, then the acknowledgement (XACK, and XDEL of what no other group still
 * needs). After a crash or a failure the entries it had read and not acknowledged are read
 * first (id `0`); a consumer that is gone has its entries claimed after `claimIdleMs`.
 */
export function createStreamGroupReader(options: StreamGroupReaderOptions): StreamGroupReader {
  const { redis, logger, purpose, hooks = {} } = options;
  const reads = createStreamGroupReads({ ...options, onReclaimed: hooks.onReclaimed });
  let loop: Promise<void> | undefined;
  let stopping = false;
  /** Whether a batch is being handled or acknowledged: `stop` waits for it instead of cutting it off. */
  let handling = false;
  let pausing: AbortController | undefined;

  /** One batch: read, handle, acknowledge. Returns how many entries it took. */
  async function step(block: boolean): Promise<number> {
    const entries = await reads.next(block);
    // Read as the stop began: left pending, to be read first next time.
    if (entries.length === 0 || stopping) return 0;
    handling = true;
    try {
      const started = performance.now();
      await options.handle(entries);
      await reads.acknowledge(entries);
      hooks.onBatch?.(entries.length, (performance.now() - started) / 1000);
      return entries.length;
    } finally {
      handling = false;
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        // NOGROUP: the stream or the group went (a FLUSHALL, a new Redis): made again first.
        if (failures > 0) await reads.ensureGroup();
        const taken = await step(true);
        failures = 0;
        if (taken > 0 && taken < options.batchSize && options.lingerMs > 0) await pause(options.lingerMs);
      } catch (error) {
        if (stopping) break;
        failures += 1;
        // Whatever failed, the batch in hand was not acknowledged: it is read again first.
        reads.rereadOwnPending();
        hooks.onFailure?.(error);
        const wait = backoff(failures);
        if (failures === 1 || failures % 20 === 0) {
          logger.warn({ err: error, failures, retryInMs: wait }, `${purpose}: a batch failed; it will be read again`);
        }
        await pause(wait);
      }
    }
  }

  /** Waits `ms`, or less when the reader is stopped meanwhile. */
  async function pause(ms: number): Promise<void> {
    pausing = new AbortController();
    try {
      await sleep(ms, undefined, { signal: pausing.signal });
    } catch {
      // stopped: the loop sees `stopping` and ends
    } finally {
      pausing = undefined;
    }
  }

  /** Resolves when `done` settles or `ms` pass, whichever is first. */
  async function within(done: Promise<void>, ms: number): Promise<void> {
    const timer = new AbortController();
    await Promise.race([done, sleep(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = reads
        .ensureGroup()
        .catch((error: unknown) => logger.warn({ err: error }, `${purpose}: consumer group not created yet; retrying`))
        .then(run);
    },
    async stop() {
      stopping = true;
      pausing?.abort();
      const done = loop;
      if (!done) return;
      // A batch in hand is let finish, so what its handler committed is acknowledged too (a
      // replay would be harmless, but is work). The wait is bounded: an acknowledgement
      // waiting for a Redis that is away would otherwise hold shutdown up.
      if (handling) await within(done, options.stopWaitMs ?? 5_000);
      // A blocking XREADGROUP holds the connection until `blockMs` passes: ending the
      // connection ends it at once. Whatever it had handed out stays pending, read first next time.
      redis.disconnect();
      await done;
      loop = undefined;
    },
    running: () => loop !== undefined && !stopping,
    async drain() {
      await reads.ensureGroup();
      let total = 0;
      for (;;) {
        const taken = await step(false);
        if (taken === 0) return total;
        total += taken;
      }
    },
  };
}
