import type { Logger } from '@helpline/runtime';
import { createPendingEntries } from './pending-entries.js';
import { parseSpoolLines } from './read-spool.js';
import { createRejectedLines } from './rejected-lines.js';
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
 * The entries waiting for Redis (pending-entries.ts) and those refused for good
 * (rejected-lines.ts), and how far their files are behind them. While a file cannot be
 * written the entries stay in memory, up to `maxUnsaved`, then new ones are dropped; the
 * last write error is reported until both files are in line again. Not safe for concurrent
 * calls: the spool runs them one after another.
 */
export function createSpoolBuffer<T>(options: {
  file: SpoolFile;
  logger: Logger;
  maxUnsaved: number;
  onWriteFailure?: (error: unknown) => void;
}) {
  const { file, logger } = options;
  let dropped = 0;
  let lastWriteError: string | undefined;

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
  const pending = createPendingEntries<T>({ file, logger, writeFailed });
  const rejected = createRejectedLines({ file, logger, writeFailed });
  const unsaved = () => pending.unsaved() + rejected.size();
  /** After a write that succeeded: no error to report once neither file is behind. */
  const settle = () => {
    if (!pending.isDirty() && rejected.size() === 0) lastWriteError = undefined;
  };
  /** Writes the rejected lines that wait. */
  const flushRejected = async (): Promise<void> => {
    if (rejected.size() > 0 && (await rejected.flush())) settle();
  };

  return {
    size: pending.size,
    /** The oldest entry waiting. */
    head: pending.head,
    unsaved,
    needsWork: () => pending.size() > 0 || pending.isDirty() || rejected.size() > 0,

    /** Sets an entry refused for good aside in the rejected file (in memory until it can be written). */
    async reject(entry: T, error: unknown): Promise<void> {
      rejected.add(entry, error);
      await flushRejected();
    },

    /** Keeps an entry that could not be delivered now: in the file when it can be written, in memory otherwise. */
    async keep(entry: T): Promise<'spooled' | 'held' | 'dropped'> {
      if (await pending.append(entry)) return 'spooled';
      if (unsaved() >= options.maxUnsaved) {
        dropped += 1;
        logger.error(
          { path: file.path, held: unsaved() },
          'group message dropped: Redis away, spool file not writable, memory buffer full',
        );
        return 'dropped';
      }
      pending.hold(entry);
      return 'held';
    },

    /** The head was delivered (or set aside): it leaves, and the file follows unless it is already out of line. */
    async shift(): Promise<void> {
      const wasDirty = pending.isDirty();
      await pending.shift();
      if (!wasDirty && !pending.isDirty()) settle();
    },

    /** Writes what the files are behind on: the whole spool when it is out of line, the rejected lines. */
    async catchUp(): Promise<void> {
      if (pending.isDirty() && (await pending.persist())) settle();
      await flushRejected();
    },

    /** Loads what a previous run left in the file. */
    async load(): Promise<void> {
      pending.restore(parseSpoolLines<T>(await file.read(), logger));
    },

    health: (): SpoolHealth => ({
      failing: unsaved() > 0,
      unsaved: unsaved(),
      dropped,
      ...(lastWriteError ? { lastWriteError } : {}),
    }),
  };
}
