import type { DefaultJobOptions } from 'bullmq';

/**
 * Defaults for every job: several attempts with exponential backoff and jitter (so that
 * replicas retrying after one outage do not knock together), completed jobs kept for a day
 * (their ids keep deduplicating repeated deliveries that long), failed jobs kept until an
 * operator retries or removes them: the failed set is the dead-letter queue.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: false,
};
