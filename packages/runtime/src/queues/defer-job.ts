import { DelayedError, type Job } from 'bullmq';

/**
 * Puts the active job back as delayed until `until` (epoch milliseconds) and gives up this
 * attempt, so that waiting costs no worker slot: a job that must wait for something
 * (a burst window to close) would otherwise hold one of the worker's `concurrency` slots for
 * the whole wait, and enough waiting jobs stop the queue. The job runs again from the start
 * at `until`, with its progress kept and its attempt count unchanged.
 *
 * Never returns: it throws BullMQ's DelayedError, which the worker (`createWorker`) passes on
 * as neither a failure nor a completion. `token` is the lock token the worker gave the
 * attempt (`JobContext.token`).
 */
export async function deferJob(job: Job, token: string, until: number): Promise<never> {
  await job.moveToDelayed(until, token);
  throw new DelayedError();
}
