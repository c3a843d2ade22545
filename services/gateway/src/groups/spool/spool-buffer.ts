import type { Logger } from '@helpline/runtime';
import type { SpoolFile } from './spool-file.js';

export interface SpoolHealth {
  /** True while some entries are in memory only: the last write of a spool file failed. */
  failing: boolean;
  /** Entries a stop of the process would lose. */
  unsaved: number;
  /** Entries lost because the memory buffer was full. */
  dropped: number;
  lastWriteError?: string;
}

/**
 * The entries waiting for Redis, in order, and how far the files are behind them. While a
 * file cannot be written the entries stay in memory (up to `maxUnsaved`, then new ones are
 * dropped) and the spool file is marked out of line (`dirty`): the next write rewrites it
 * whole. Not safe for concurrent calls: the spool runs them one after another.
 */
export function createSpoolBuffer<T>(options: {
  file: SpoolFile;
  logger: Logger;
  maxUnsaved: number;
  onWriteFailure?: (error: unknown) => void;
}) {
  const { file, logger } = options;
  const pending: T[] = [];
  /** Refused-for-good entries whose line could not be written to the rejected file yet. */
  const rejectedBacklog: string[] = [];
  /** The spool file does not hold `pending` (a write failed): the next write is a full rewrite. */
  let dirty = false;
  /** Entries of `pending` that were never written to the file. */
  let unsavedPending = 0;
  let dropped = 0;
  let lastWriteError: string | undefined;

  const unsaved = () => unsavedPending + rejectedBacklog.length;

  /** Counts every failed write; logs it unless it repeats one already logged (every retry tick). */
  const writeFailed = (what: string, error: unknown, log = true): void => {
    lastWriteError = error instanceof Error ? error.message : String(error);
    options.onWriteFailure?.(error);
    if (log)
      logger.error(
        { err: error, path: file.path },
        `${what} failed; the messages are kept in memory and written again shortly`,
      );
  };

  /** Brings the spool file in line with `pending`; false when it still cannot be written. */
  const persist = async (): Promise<boolean> => {
    try {
      await file.rewrite(pending.map((e) => `${JSON.stringify(e)}\n`).join(''));
    } catch (error) {
      writeFailed('rewriting the group spool', error, !dirty);
      dirty = true;
      return false;
    }
    if (dirty)
      logger.info(
        { path: file.path, pending: pending.length },
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
      await file.appendRejected(rejectedBacklog.join(''));
    } catch (error) {
      writeFailed('writing the rejected group messages', error);
      return false;
    }
    rejectedBacklog.splice(0);
    if (!dirty) lastWriteError = undefined;
    return true;
  };

  return {
    size: () => pending.length,
    /** The oldest entry waiting. */
    head: (): T | undefined => pending[0],
    unsaved,
    needsWork: () => pending.length > 0 || dirty || rejectedBacklog.length > 0,

    /** Sets an entry refused for good aside in the rejected file (in memory until it can be written). */
    async reject(entry: T, error: unknown): Promise<void> {
      logger.error(
        { err: error, path: file.rejectedPath },
        'group message refused for good; kept in the rejected file',
      );
      rejectedBacklog.push(`${JSON.stringify({ entry, error: String(error) })}\n`);
      await flushRejected();
    },

    /** Keeps an entry that could not be delivered now: in the file when it can be written, in memory otherwise. */
    async keep(entry: T): Promise<'spooled' | 'held' | 'dropped'> {
      if (!dirty) {
        try {
          await file.append(`${JSON.stringify(entry)}\n`);
          pending.push(entry);
          return 'spooled';
        } catch (error) {
          writeFailed('appending to the group spool', error);
          dirty = true;
        }
      }
      if (unsaved() >= options.maxUnsaved) {
        dropped += 1;
        logger.error(
          { path: file.path, held: unsaved() },
          'group message dropped: Redis away, spool file not writable, memory buffer full',
        );
        return 'dropped';
      }
      pending.push(entry);
      unsavedPending += 1;
      return 'held';
    },

    /** The head was delivered (or set aside): it leaves, and the file follows unless it is already out of line. */
    async shift(): Promise<void> {
      pending.shift();
      unsavedPending = Math.min(unsavedPending, pending.length);
      // A failed rewrite leaves delivered entries in the file: replayed again after a
      // restart, they are duplicates (the job id is the message id) and nothing more.
      if (!dirty) await persist();
    },

    /** Writes what the files are behind on: the whole spool when it is out of line, the rejected lines. */
    async catchUp(): Promise<void> {
      if (dirty) await persist();
      await flushRejected();
    },

    /** Loads what a previous run left in the file. */
    async load(): Promise<void> {
      const text = await file.read();
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          pending.push(JSON.parse(line) as T);
        } catch (error) {
          // A line cut short by a crash mid-append; the rest of the file is still good.
          logger.error({ err: error }, 'unreadable line in the group spool skipped');
        }
      }
    },

    health: (): SpoolHealth => ({
      failing: unsaved() > 0,
      unsaved: unsaved(),
      dropped,
      ...(lastWriteError ? { lastWriteError } : {}),
    }),
  };
}
