// The entries waiting for Redis, in order, and the spool file that holds them. While the file
// cannot be written, entries are held in memory and the file is marked out of line (`dirty`):
// the next write rewrites it whole.
import type { Logger } from '@helpline/runtime';
import type { SpoolFile } from './spool-file.js';

export function createPendingEntries<T>(options: {
  file: Pick<SpoolFile, 'append' | 'rewrite' | 'path'>;
  logger: Logger;
  /** Told of every failed write; `log` is false for a failure that repeats one already logged. */
  writeFailed: (what: string, error: unknown, log?: boolean) => void;
}) {
  const { file, logger } = options;
  const pending: T[] = [];
  /** The spool file does not hold `pending` (a write failed): the next write is a full rewrite. */
  let dirty = false;
  /** Entries of `pending` that were never written to the file. */
  let unsaved = 0;

  /** Brings the spool file in line with `pending`; false when it still cannot be written. */
  const persist = async (): Promise<boolean> => {
    try {
      await file.rewrite(pending.map((e) => `${JSON.stringify(e)}\n`).join(''));
    } catch (error) {
      options.writeFailed('rewriting the group spool', error, !dirty);
      dirty = true;
      return false;
    }
    if (dirty)
      logger.info(
        { path: file.path, pending: pending.length },
        'group spool written again; nothing is held in memory only',
      );
    dirty = false;
    unsaved = 0;
    return true;
  };

  return {
    size: () => pending.length,
    head: (): T | undefined => pending[0],
    isDirty: () => dirty,
    unsaved: () => unsaved,

    /** Appends an entry to the file; false (nothing kept) when the file is or just went out of line. */
    async append(entry: T): Promise<boolean> {
      if (dirty) return false;
      try {
        await file.append(`${JSON.stringify(entry)}\n`);
      } catch (error) {
        options.writeFailed('appending to the group spool', error);
        dirty = true;
        return false;
      }
      pending.push(entry);
      return true;
    },

    /** Keeps an entry in memory only, until the file is rewritten. */
    hold(entry: T): void {
      pending.push(entry);
      unsaved += 1;
    },

    /** Entries a previous run left in the file, as read at start. */
    restore(entries: readonly T[]): void {
      for (const entry of entries) pending.push(entry);
    },

    /** The head leaves; the file follows unless it is already out of line. */
    async shift(): Promise<void> {
      pending.shift();
      unsaved = Math.min(unsaved, pending.length);
      // A failed rewrite leaves delivered entries in the file: replayed again after a
      // restart, they are duplicates (the job id is the message id) and nothing more.
      if (!dirty) await persist();
    },
    persist,
  };
}
