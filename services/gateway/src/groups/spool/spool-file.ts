import { appendFile, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The spool's two files: `path` (JSON lines waiting for Redis; appends fsynced, rewrites
 * through a temporary file and a rename, so a crash leaves the old file or the new one)
 * and `<path>.rejected` (entries refused for good, kept for a person). Folders are made
 * when needed. Every method rejects on an I/O failure; the caller decides what that means.
 */
export function createSpoolFile(path: string) {
  const rejectedPath = `${path}.rejected`;
  const ensureDir = () => mkdir(dirname(path), { recursive: true });
  return {
    path,
    rejectedPath,

    async append(text: string): Promise<void> {
      await ensureDir();
      const handle = await open(path, 'a');
      try {
        await handle.write(text);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },

    async rewrite(text: string): Promise<void> {
      await ensureDir();
      const tmp = `${path}.tmp`;
      const handle = await open(tmp, 'w');
      try {
        await handle.write(text);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
    },

    async appendRejected(text: string): Promise<void> {
      await ensureDir();
      await appendFile(rejectedPath, text);
    },

    /** The spool file's text; '' when there is none yet. */
    async read(): Promise<string> {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return '';
      }
    },
  };
}

export type SpoolFile = ReturnType<typeof createSpoolFile>;
