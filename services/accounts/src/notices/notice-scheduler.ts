import { QUEUE_NAMES } from '@helpline/contracts';
import { CodedError, createWorker, ERRORS, type Logger, type ServiceMetrics } from '@helpline/runtime';
import { type Job, Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { businessDate, dailyPattern } from './business-day.js';
import type { NoticeRunReport, NoticeRunRequest } from './run-notices.js';

/** The one job scheduler of the daily run: upserting it again (every start, every replica) replaces it. */
export const DAILY_NOTICES_SCHEDULER_ID = 'daily-notices';

export interface SchedulerSettings {
  sendTime: string;
  timeZone: string;
}

/**
 * Installs (or moves) the daily run: BullMQ's job scheduler adds one `notices` job at
 * `sendTime` in `timeZone` each day, whichever replicas are up; there is no timer of ours.
 * Returns when the next run is due.
 */
export async function scheduleDailyNotices(queue: Queue, settings: SchedulerSettings): Promise<Date | undefined> {
  await queue.upsertJobScheduler(
    DAILY_NOTICES_SCHEDULER_ID,
    { pattern: dailyPattern(settings.sendTime), tz: settings.timeZone },
    {
      name: 'daily',
      data: { trigger: 'schedule' },
      opts: { attempts: 8, backoff: { type: 'exponential', delay: 60_000 } },
    },
  );
  const scheduler = await queue.getJobScheduler(DAILY_NOTICES_SCHEDULER_ID);
  return scheduler?.next ? new Date(scheduler.next) : undefined;
}

/** Stops the daily run (NOTICES_ENABLED=false): an older release's scheduler must not keep adding jobs. */
export async function unscheduleDailyNotices(queue: Queue): Promise<void> {
  await queue.removeJobScheduler(DAILY_NOTICES_SCHEDULER_ID);
}

/**
 * The business day a `notices` job runs for: the day it names, else the day of the time
 * the scheduler planned it for (`prevMillis`), so that a run started late, after midnight,
 * or retried the next morning still sends the day it belongs to.
 */
export function runDateOf(job: Pick<Job, 'opts' | 'timestamp'>, data: { date?: string }, timeZone: string): string {
  if (data.date) return data.date;
  const planned = (job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp;
  return businessDate(new Date(planned), timeZone);
}

export interface NoticeWorkerDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  metrics: ServiceMetrics;
  timeZone: string;
  run: (request: NoticeRunRequest) => Promise<NoticeRunReport>;
  autorun?: boolean;
}

/** The `notices` consumer: one run per job; failed notices fail the job, whose retry sends only what is missing. */
export function createNoticeWorker(deps: NoticeWorkerDeps): Worker {
  return createWorker(
    QUEUE_NAMES.notices,
    async (data, { job, logger }) => {
      const date = runDateOf(job, data, deps.timeZone);
      const report = await deps.run({ date, trigger: data.trigger });
      logger.info({ date, counts: report.counts }, 'notice run finished');
      const failed = report.counts.failed ?? 0;
      if (failed > 0) {
        throw new CodedError(
          ERRORS.notices_not_queued,
          `${failed} of ${report.items.length} notices could not be queued; retrying the run`,
        );
      }
      return report.counts;
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      logger: deps.logger,
      metrics: deps.metrics,
      concurrency: 1,
      autorun: deps.autorun,
    },
  );
}

export function createNoticeQueue(connection: Redis, prefix: string): Queue {
  return new Queue(QUEUE_NAMES.notices, { connection, prefix });
}
