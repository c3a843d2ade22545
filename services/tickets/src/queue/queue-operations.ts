import type { Queue } from 'bullmq';

export const COUNTED_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

export async function countJobs(queue: Queue): Promise<Record<string, number>> {
  const counts = await queue.getJobCounts(...COUNTED_STATES);
  return Object.fromEntries(COUNTED_STATES.map((state) => [state, counts[state] ?? 0]));
}

/**
 * Moves every job that is failed now back to waiting, and says how many. The set is read
 * once first: a job that fails again during the loop waits for the next operator call.
 */
export async function retryFailedJobs(queue: Queue): Promise<number> {
  const total = await queue.getFailedCount();
  if (total === 0) return 0;
  const failed = await queue.getFailed(0, total - 1);
  let retried = 0;
  for (const job of failed) {
    await job.retry('failed');
    retried += 1;
  }
  return retried;
}
