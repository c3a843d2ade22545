import type { Database, Logger, Redis } from '@helpline/runtime';
import { Queue, Worker } from 'bullmq';
import { applyRetention } from './retention.js';

/** The desk's own queue: a daily job, not a pipeline payload, so not in the contracts. */
export const RETENTION_QUEUE = 'desk-retention';
const SCHEDULER_ID = 'archive-retention';
const DAY_MS = 24 * 3600_000;

export interface RetentionScheduler {
  queue: Queue;
  worker: Worker;
  close(): Promise<void>;
}

/**
 * ARCHIVE_RETENTION_DAYS through a BullMQ job scheduler: one schedule across every replica
 * (upserted by id), one run a day, retried by BullMQ when PostgreSQL was away. Without a
 * retention the schedule is removed, so turning it off takes effect on the next start.
 */
export async function startRetention(options: {
  days: number;
  db: Database;
  connection: Redis;
  workerConnection: Redis;
  prefix: string;
  logger: Logger;
  clock: () => Date;
}): Promise<RetentionScheduler> {
  const queue = new Queue(RETENTION_QUEUE, { connection: options.connection, prefix: options.prefix });
  queue.on('error', (error) => options.logger.warn({ err: error }, 'retention queue error'));
  if (options.days > 0) {
    await queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: DAY_MS },
      {
        name: 'retention',
        data: {},
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 30, removeOnFail: 100 },
      },
    );
  } else {
    await queue.removeJobScheduler(SCHEDULER_ID);
  }
  const worker = new Worker(
    RETENTION_QUEUE,
    async () => (options.days > 0 ? applyRetention(options.db, options.days, options.clock(), options.logger) : null),
    { connection: options.workerConnection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'retention worker error'));
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
