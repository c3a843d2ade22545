import type { DeskContext } from './context.js';
import { startRetention } from './retention/retention-scheduler.js';

/**
 * Starts the archive consumer (closed by the context, before the database) and the daily
 * retention job (its worker closed first on shutdown, its queue with the resources).
 */
export async function startWorkers(context: DeskContext): Promise<void> {
  context.consumer.start();
  const retention = await startRetention({
    days: context.config.ARCHIVE_RETENTION_DAYS,
    db: context.db,
    connection: context.redis('queues'),
    workerConnection: context.redis('worker'),
    prefix: context.prefix,
    logger: context.logger,
    clock: context.clock,
  });
  context.addWorker(retention.worker);
  context.addResource({ name: 'retention queue', close: () => retention.queue.close() });
}
