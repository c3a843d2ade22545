import { isPermanentError, type Logger } from '@helpline/runtime';
import type { createSpoolBuffer } from './spool-buffer.js';

type Buffer<T> = Pick<ReturnType<typeof createSpoolBuffer<T>>, 'head' | 'reject' | 'shift'>;

/**
 * Delivers the waiting entries in order while Redis takes them, setting aside those refused
 * for good; false when a delivery failed (Redis away) and the rest must wait.
 */
export async function replayInOrder<T>(
  buffer: Buffer<T>,
  options: { deliver: (entry: T) => Promise<void>; onReplayed?: (entry: T) => void; logger: Logger },
  report: () => void,
): Promise<boolean> {
  for (let entry = buffer.head(); entry !== undefined; entry = buffer.head()) {
    try {
      await options.deliver(entry);
      options.onReplayed?.(entry);
    } catch (error) {
      if (!isPermanentError(error)) return false;
      await buffer.reject(entry, error);
    }
    await buffer.shift();
    report();
  }
  options.logger.info('group spool replayed; empty');
  return true;
}
