import type { Logger } from 'pino';

export interface ShutdownStep {
  /** For the log: `http`, `worker:inbound`, `redis`, ... */
  name: string;
  /** Resolves once the resource is closed. A worker's close waits for its active jobs. */
  close: () => Promise<unknown>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Steps run in order: stop taking work first (HTTP, workers), then close connections. */
  steps: readonly ShutdownStep[];
  graceMs: number;
  /** Injected by tests; `process.exit` otherwise. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/**
 * Runs the steps once on SIGTERM or SIGINT, then exits 0; exits 1 if they have not all
 * finished within the grace period (a job still running then keeps its lock until it
 * expires, and BullMQ's stalled-job recovery hands it to another worker: nothing is lost).
 * Returns the shutdown function, so an entry file can also call it on a fatal error.
 */
export function installGracefulShutdown(options: ShutdownOptions): (reason: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let running: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (running) return running;
    running = (async () => {
      options.logger.info({ reason, graceMs: options.graceMs }, 'shutting down');
      const timer = setTimeout(() => {
        options.logger.error(
          { graceMs: options.graceMs },
          'shutdown grace period passed; exiting with work unfinished',
        );
        exit(1);
      }, options.graceMs);
      timer.unref();
      let failed = false;
      for (const step of options.steps) {
        try {
          await step.close();
          options.logger.debug({ step: step.name }, 'closed');
        } catch (error) {
          failed = true;
          options.logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      options.logger.info({ failed }, 'shutdown complete');
      exit(failed ? 1 : 0);
    })();
    return running;
  };

  for (const signal of signals) process.once(signal, () => void shutdown(signal));
  return shutdown;
}
