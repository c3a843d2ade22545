import type { Logger } from '@helpline/runtime';
import { isPermanentError } from '@helpline/runtime';
import { replayInOrder } from './spool/replay.js';
import { createSerialQueue } from './spool/serial-queue.js';
import { createSpoolBuffer, type SpoolHealth } from './spool/spool-buffer.js';
import { createSpoolFile } from './spool/spool-file.js';

export type { SpoolHealth };

/**
 * - `delivered`: in Redis now;
 * - `spooled`: waits in the spool file for Redis;
 * - `held`: waits in memory only, the spool file could not be written (disk full, ...);
 * - `rejected`: refused for good, set aside in `<path>.rejected`;
 * - `dropped`: lost: Redis was away, the file could not be written and the memory buffer was full.
 */
export type SubmitOutcome = 'delivered' | 'spooled' | 'held' | 'rejected' | 'dropped';

export interface InboundSpoolOptions<T> {
  /** The JSON-lines file (created with its folder when needed). */
  path: string;
  /** Hands one entry on (to Redis); rejects when it could not. */
  deliver: (entry: T) => Promise<void>;
  logger: Logger;
  /** Wait between two replay (or file write) attempts while something waits (default 1 s). */
  retryMs?: number;
  /**
   * How many entries may wait in memory only, while the file cannot be written, before new
   * ones are dropped (default 10 000): the buffer must not take the process down with it.
   */
  maxUnsaved?: number;
  /** Told the number of entries waiting, whenever it changes. */
  onSize?: (size: number) => void;
  /** Told the number of entries held in memory only (not in the file), whenever it changes. */
  onUnsaved?: (unsaved: number) => void;
  /** Told about each failed write of the spool or rejected file. */
  onWriteFailure?: (error: unknown) => void;
  /** Told about each entry delivered from the spool. */
  onReplayed?: (entry: T) => void;
}

export interface InboundSpool<T> {
  /** Delivers now, or spools (Redis away, or older entries still waiting: order is kept). Never rejects. */
  submit(entry: T): Promise<SubmitOutcome>;
  /** Replays what waits, in order, until empty or until a delivery fails; catches the files up. */
  drain(): Promise<void>;
  size(): number;
  health(): SpoolHealth;
  /** Loads what a previous run left, and starts replaying it. */
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Group messages cannot be refused the way the webhook refuses Meta (Baileys has already
 * acknowledged them to WhatsApp), so while Redis is away they are appended to a local file,
 * fsynced, and replayed in arrival order once it answers. Entries that can never be
 * delivered (a payload the contract refuses) go to `<path>.rejected`, kept for a person
 * rather than dropped or retried forever in front of the others.
 *
 * When a file cannot be written (disk full, a read-only volume), nothing is lost while the
 * process lives: the entries stay in memory, in order, up to `maxUnsaved`, and every retry
 * tick writes the whole spool again until a write succeeds; `health()` says so meanwhile.
 *
 * The files are `spool/spool-file.ts`, the waiting entries and the write failures
 * `spool/spool-buffer.ts`, the replay `spool/replay.ts`; this module delivers, schedules and
 * retries.
 */
export function createInboundSpool<T>(options: InboundSpoolOptions<T>): InboundSpool<T> {
  const retryMs = options.retryMs ?? 1_000;
  const { logger } = options;
  const buffer = createSpoolBuffer<T>({
    file: createSpoolFile(options.path),
    logger,
    maxUnsaved: options.maxUnsaved ?? 10_000,
    onWriteFailure: options.onWriteFailure,
  });
  // Every operation runs after the previous one: appends, replays and rewrites never interleave.
  const serial = createSerialQueue();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const report = () => {
    options.onSize?.(buffer.size());
    options.onUnsaved?.(buffer.unsaved());
  };

  const schedule = (): void => {
    if (closed || timer || !buffer.needsWork()) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, retryMs);
  };

  const drain = (): Promise<void> =>
    serial.run(async () => {
      try {
        if (buffer.size() > 0) await replayInOrder(buffer, options, report);
        await buffer.catchUp();
      } catch (error) {
        logger.error({ err: error }, 'group spool replay failed; trying again');
      } finally {
        report();
        // Whatever is left (Redis still away, a file still not writable) is tried again.
        schedule();
      }
    });

  /** Delivers at once when nothing older waits; keeps the entry otherwise, or when Redis is away. */
  const submit = async (entry: T): Promise<SubmitOutcome> => {
    if (buffer.size() === 0) {
      try {
        await options.deliver(entry);
        return 'delivered';
      } catch (error) {
        if (isPermanentError(error)) {
          await buffer.reject(entry, error);
          report();
          schedule();
          return 'rejected';
        }
        logger.warn({ err: error, path: options.path }, 'Redis unavailable; group message spooled');
      }
    }
    const outcome = await buffer.keep(entry);
    report();
    schedule();
    return outcome;
  };

  return {
    submit: (entry) => serial.run(() => submit(entry)),
    drain,
    size: () => buffer.size(),
    health: () => buffer.health(),
    open: () =>
      serial.run(async () => {
        await buffer.load();
        report();
        if (buffer.size() > 0) {
          logger.info({ pending: buffer.size() }, 'group spool holds messages from a previous run; replaying');
          schedule();
        }
      }),
    close: async () => {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await serial.idle();
      // A last attempt: what is still in memory only is lost with the process.
      if (buffer.unsaved() > 0) {
        await serial.run(() => buffer.catchUp());
        if (buffer.unsaved() > 0)
          logger.error(
            { lost: buffer.unsaved(), path: options.path },
            'group messages held in memory are lost: the spool file could not be written',
          );
      }
    },
  };
}
