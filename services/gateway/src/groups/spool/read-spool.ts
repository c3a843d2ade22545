import type { Logger } from '@helpline/runtime';

/** The entries a previous run left in the spool file's text, one JSON line each. */
export function parseSpoolLines<T>(text: string, logger: Logger): T[] {
  const entries: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as T);
    } catch (error) {
      // A line cut short by a crash mid-append; the rest of the file is still good.
      logger.error({ err: error }, 'unreadable line in the group spool skipped');
    }
  }
  return entries;
}
