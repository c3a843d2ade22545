import { appendFile, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@helpline/runtime';
import { isPermanentError } from '@helpline/runtime';

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

export interface SpoolHealth {
  /** True while some entries are in memory only: the last write of a spool file failed. */
  failing: boolean;
  /** Entries a stop of the process would lose. */
  unsaved: number;
  /** Entries lost because the memory buffer was full. */
  dropped: number;
  lastWriteError?: string;
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
 */
export function createInboundSpool<T>(options: InboundSpoolOptions<T>): InboundSpool<T> {
  const retryMs = options.retryMs ?? 1_000;
  const maxUnsaved = options.maxUnsaved ?? 10_000;
  const rejectedPath = `${options.path}.rejected`;
  const pending: T[] = [];
  /** Refused-for-good entries whose line could not be written to the rejected file yet. */
  const rejectedBacklog: string[] = [];
  /** The spool file does not hold `pending` (a write failed): the next write is a full rewrite. */
  let dirty = false;
  /** Entries of `pending` that were never written to the file. */
  let unsavedPending = 0;
  let dropped = 0;
  let lastWriteError: string | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // Every operation runs after the previous one: appends, replays and rewrites never interleave.
  const serial = <R>(work: () => Promise<R>): Promise<R> => {
    const next = chain.then(work, work);
    chain = next.catch(() => {});
    return next;
  };

  const unsaved = () => unsavedPending + rejectedBacklog.length;
  const report = () => {
    options.onSize?.(pending.length);
    options.onUnsaved?.(unsaved());
  };

  /** Counts every failed write; logs it unless it repeats one already logged (every retry tick). */
  const writeFailed = (what: string, error: unknown, log = true): void => {
    lastWriteError = error instanceof Error ? error.message : String(error);
    options.onWriteFailure?.(error);
    if (log)
      options.logger.error(
        { err: error, path: options.path },
        `${what} failed; the messages are kept in memory and written again shortly`,
      );
  };

  const ensureDir = () => mkdir(dirname(options.path), { recursive: true });

  const appendDurably = async (path: string, text: string): Promise<void> => {
    await ensureDir();
    const handle = await open(path, 'a');
    try {
      await handle.write(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  };

  const rewrite = async (): Promise<void> => {
    await ensureDir();
    const tmp = `${options.path}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.write(pending.map((e) => `${JSON.stringify(e)}\n`).join(''));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, options.path);
  };

  /** Brings the spool file in line with `pending`; false when it still cannot be written. */
  const persist = async (): Promise<boolean> => {
    try {
      await rewrite();
    } catch (error) {
      writeFailed('rewriting the group spool', error, !dirty);
      dirty = true;
      return false;
    }
    if (dirty)
      options.logger.info(
        { path: options.path, pending: pending.length },
        'group spool written again; nothing is held in memory only',
      );
    dirty = false;
    unsavedPending = 0;
    lastWriteError = rejectedBacklog.length > 0 ? lastWriteError : undefined;
    return true;
  };

  /** Writes the rejected lines that wait; false when the file still cannot be written. */
  const flushRejected = async (): Promise<boolean> => {
    if (rejectedBacklog.length === 0) return true;
    try {
      await ensureDir();
      await appendFile(rejectedPath, rejectedBacklog.join(''));
    } catch (error) {
      writeFailed('writing the rejected group messages', error);
      return false;
    }
    rejectedBacklog.splice(0);
    if (!dirty) lastWriteError = undefined;
    return true;
  };

  const reject = async (entry: T, error: unknown): Promise<void> => {
    options.logger.error(
      { err: error, path: rejectedPath },
      'group message refused for good; kept in the rejected file',
    );
    rejectedBacklog.push(`${JSON.stringify({ entry, error: String(error) })}\n`);
    await flushRejected();
  };

  const needsWork = () => pending.length > 0 || dirty || rejectedBacklog.length > 0;

  const schedule = (): void => {
    if (closed || timer || !needsWork()) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, retryMs);
  };

  /** Delivers in order while Redis takes them; false when a delivery failed (Redis away). */
  const replay = async (): Promise<boolean> => {
    while (pending.length > 0) {
      const entry = pending[0] as T;
      try {
        await options.deliver(entry);
        options.onReplayed?.(entry);
      } catch (error) {
        if (!isPermanentError(error)) return false;
        await reject(entry, error);
      }
      pending.shift();
      unsavedPending = Math.min(unsavedPending, pending.length);
      // A failed rewrite leaves delivered entries in the file: replayed again after a
      // restart, they are duplicates (the job id is the message id) and nothing more.
      if (!dirty) await persist();
      report();
    }
    options.logger.info('group spool replayed; empty');
    return true;
  };

  const drain = (): Promise<void> =>
    serial(async () => {
      try {
        if (pending.length > 0) await replay();
        if (dirty) await persist();
        await flushRejected();
      } catch (error) {
        options.logger.error({ err: error }, 'group spool replay failed; trying again');
      } finally {
        report();
        // Whatever is left (Redis still away, a file still not writable) is tried again.
        schedule();
      }
    });

  /** Keeps an entry that could not be delivered now: in the file when it can be written, in memory otherwise. */
  const keep = async (entry: T): Promise<SubmitOutcome> => {
    if (!dirty) {
      try {
        await appendDurably(options.path, `${JSON.stringify(entry)}\n`);
        pending.push(entry);
        return 'spooled';
      } catch (error) {
        writeFailed('appending to the group spool', error);
        dirty = true;
      }
    }
    if (unsaved() >= maxUnsaved) {
      dropped += 1;
      options.logger.error(
        { path: options.path, held: unsaved() },
        'group message dropped: Redis away, spool file not writable, memory buffer full',
      );
      return 'dropped';
    }
    pending.push(entry);
    unsavedPending += 1;
    return 'held';
  };

  return {
    submit: (entry) =>
      serial(async () => {
        if (pending.length === 0) {
          try {
            await options.deliver(entry);
            return 'delivered';
          } catch (error) {
            if (isPermanentError(error)) {
              await reject(entry, error);
              report();
              schedule();
              return 'rejected';
            }
            options.logger.warn({ err: error, path: options.path }, 'Redis unavailable; group message spooled');
          }
        }
        const outcome = await keep(entry);
        report();
        schedule();
        return outcome;
      }),
    drain,
    size: () => pending.length,
    health: () => ({
      failing: unsaved() > 0,
      unsaved: unsaved(),
      dropped,
      ...(lastWriteError ? { lastWriteError } : {}),
    }),
    open: () =>
      serial(async () => {
        let text = '';
        try {
          text = await readFile(options.path, 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          try {
            pending.push(JSON.parse(line) as T);
          } catch (error) {
            // A line cut short by a crash mid-append; the rest of the file is still good.
            options.logger.error({ err: error }, 'unreadable line in the group spool skipped');
          }
        }
        report();
        if (pending.length > 0) {
          options.logger.info({ pending: pending.length }, 'group spool holds messages from a previous run; replaying');
          schedule();
        }
      }),
    close: async () => {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await chain;
      // A last attempt: what is still in memory only is lost with the process.
      if (unsaved() > 0) {
        await serial(async () => {
          if (dirty) await persist();
          await flushRejected();
        });
        if (unsaved() > 0)
          options.logger.error(
            { lost: unsaved(), path: options.path },
            'group messages held in memory are lost: the spool file could not be written',
          );
      }
    },
  };
}
