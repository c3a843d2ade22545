// Entries refused for good, set aside in the spool's rejected file; the lines wait in memory
// while the file cannot be written.
import type { Logger } from '@helpline/runtime';
import type { SpoolFile } from './spool-file.js';

export function createRejectedLines(options: {
  file: Pick<SpoolFile, 'appendRejected' | 'rejectedPath'>;
  logger: Logger;
  /** Told of every failed write (the buffer counts and logs it). */
  writeFailed: (what: string, error: unknown) => void;
}) {
  const { file, logger } = options;
  /** Lines not written to the rejected file yet. */
  const backlog: string[] = [];

  return {
    /** Lines a stop of the process would lose. */
    size: () => backlog.length,

    /** Sets an entry aside; its line is written by the next `flush`. */
    add(entry: unknown, error: unknown): void {
      logger.error(
        { err: error, path: file.rejectedPath },
        'group message refused for good; kept in the rejected file',
      );
      backlog.push(`${JSON.stringify({ entry, error: String(error) })}\n`);
    },

    /** Writes the lines that wait; false when the file still cannot be written. */
    async flush(): Promise<boolean> {
      try {
        await file.appendRejected(backlog.join(''));
      } catch (error) {
        options.writeFailed('writing the rejected group messages', error);
        return false;
      }
      backlog.splice(0);
      return true;
    },
  };
}
