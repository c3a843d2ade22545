import { appendFile, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@helpline/runtime';
import { isPermanentError } from '@helpline/runtime';

export type SubmitOutcome = 'delivered' | 'spooled' | 'rejected';

export interface InboundSpoolOptions<T> {
  /** The JSON-lines file (created with its folder when needed). */
  path: string;
  /** Hands one entry on (to Redis); rejects when it could not. */
  deliver: (entry: T) => Promise<void>;
  logger: Logger;
  /** Wait between two replay attempts while Redis is away (default 1 s). */
  retryMs?: number;
  /** Told the number of entries waiting, whenever it changes. */
  onSize?: (size: number) => void;
  /** Told about each entry delivered from the spool. */
  onReplayed?: (entry: T) => void;
}

export interface InboundSpool<T> {
  /** Delivers now, or spools (Redis away, or older entries still waiting: order is kept). */
  submit(entry: T): Promise<SubmitOutcome>;
  /** Replays what waits, in order, until empty or until a delivery fails. */
  drain(): Promise<void>;
  size(): number;
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
 */
export function createInboundSpool<T>(options: InboundSpoolOptions<T>): InboundSpool<T> {
  const retryMs = options.retryMs ?? 1_000;
  const pending: T[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // Every operation runs after the previous one: appends, replays and rewrites never interleave.
  const serial = <R>(work: () => Promise<R>): Promise<R> => {
    const next = chain.then(work, work);
    chain = next.catch(() => {});
    return next;
  };

  const ensureDir = () => mkdir(dirname(options.path), { recursive: true });

  const appendDurably = async (path: string, entry: unknown): Promise<void> => {
    await ensureDir();
    const handle = await open(path, 'a');
    try {
      await handle.write(`${JSON.stringify(entry)}\n`);
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

  const reject = async (entry: T, error: unknown): Promise<void> => {
    options.logger.error({ err: error, path: `${options.path}.rejected` }, 'group message refused for good; kept in the rejected file');
    await appendFile(`${options.path}.rejected`, `${JSON.stringify({ entry, error: String(error) })}\n`);
  };

  const schedule = (): void => {
    if (closed || timer || pending.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, retryMs);
  };

  const drainOnce = async (): Promise<void> => {
    while (pending.length > 0) {
      const entry = pending[0] as T;
      try {
        await options.deliver(entry);
        options.onReplayed?.(entry);
      } catch (error) {
        if (!isPermanentError(error)) {
          schedule();
          return;
        }
        await reject(entry, error);
      }
      pending.shift();
      await rewrite();
      options.onSize?.(pending.length);
    }
    options.logger.info('group spool replayed; empty');
  };

  const drain = (): Promise<void> => serial(async () => (pending.length > 0 ? drainOnce() : undefined));

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
              return 'rejected';
            }
            options.logger.warn({ err: error, path: options.path }, 'Redis unavailable; group message spooled');
          }
        }
        await appendDurably(options.path, entry);
        pending.push(entry);
        options.onSize?.(pending.length);
        schedule();
        return 'spooled';
      }),
    drain,
    size: () => pending.length,
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
        options.onSize?.(pending.length);
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
    },
  };
}
