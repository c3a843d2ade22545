import { depthMessage, QUEUE_SCHEMAS, type QueueName, type QueuePayload, tooDeep } from '@helpline/contracts';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CodedError, failureReason, isRetryable } from '../errors/coded-error.js';
import { describeIssues } from '../errors/validation.js';
import { forCorrelation } from '../logging/create-logger.js';
import type { ServiceMetrics } from '../metrics/create-metrics.js';

export interface JobContext {
  job: Job;
  /** Bound to the job's correlation id. */
  logger: Logger;
  /** 1 on the first attempt. */
  attempt: number;
  /** The attempt's lock token, for `deferJob` (absent when BullMQ gives none). */
  token?: string;
}

export type JobHandler<Q extends QueueName, R> = (payload: QueuePayload<Q>, context: JobContext) => Promise<R>;

export interface WorkerOptions {
  connection: Redis;
  logger: Logger;
  metrics: ServiceMetrics;
  prefix?: string;
  /** Jobs processed at once by this worker. */
  concurrency?: number;
  /**
   * How long a job's lock lives without renewal; a worker that dies (SIGKILL) holds its jobs
   * at most this long before another worker takes them over.
   */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs. */
  stalledInterval?: number;
  /** Start consuming at once (default) or wait for `worker.run()`. */
  autorun?: boolean;
}

/**
 * A BullMQ worker that parses every job against its queue's contract before the handler
 * sees it. An invalid payload fails at once as unrecoverable, its reason kept on the job as
 * `failedReason`; a coded error declared non-retryable (a PermanentError among them) fails
 * the job at once likewise; any other error is retried with the job's backoff. Stalled-job recovery stays on: a job whose
 * worker died goes back to waiting after `lockDuration`.
 */
export function createWorker<Q extends QueueName, R>(
  name: Q,
  handler: JobHandler<Q, R>,
  options: WorkerOptions,
): Worker<QueuePayload<Q>, R> {
  const schema = QUEUE_SCHEMAS[name];
  const { metrics, logger } = options;

  const processor = async (job: Job<QueuePayload<Q>, R>, token?: string): Promise<R> => {
    const started = performance.now();
    const observe = (outcome: 'completed' | 'retrying' | 'failed' | 'invalid' | 'deferred') => {
      metrics.jobDuration.observe({ queue: name, outcome }, (performance.now() - started) / 1000);
      metrics.jobOutcomes.inc({ queue: name, outcome });
    };
    // Depth first: a job written by hand (or by an older producer) is measured before any
    // recursive parse sees it.
    const deep = tooDeep(job.data);
    const parsed = deep ? undefined : schema.safeParse(job.data);
    if (!parsed?.success) {
      observe('invalid');
      const reason = `invalid ${name} payload: ${parsed ? describeIssues(parsed.error.issues) : depthMessage()}`;
      logger.error({ jobId: job.id, queue: name, reason }, 'job refused: payload does not fit its contract');
      throw new UnrecoverableError(reason);
    }
    const payload = parsed.data as QueuePayload<Q>;
    const correlationId = (payload as { correlationId?: string }).correlationId ?? String(job.id);
    const jobLogger = forCorrelation(logger, correlationId, { queue: name, jobId: job.id });
    const attempt = job.attemptsMade + 1;
    try {
      const result = await handler(payload, { job, logger: jobLogger, attempt, ...(token ? { token } : {}) });
      observe('completed');
      return result;
    } catch (error) {
      // Moved back to delayed on purpose (deferJob): it runs again later, nothing failed.
      if (error instanceof DelayedError) {
        observe('deferred');
        throw error;
      }
      const maxAttempts = job.opts.attempts ?? 1;
      // The catalogue's retryable flag decides: a declared non-retryable error fails at once.
      if (error instanceof CodedError && !isRetryable(error)) {
        observe('failed');
        jobLogger.error({ err: error, attempt }, 'job failed for good');
        throw new UnrecoverableError(failureReason(error));
      }
      if (error instanceof UnrecoverableError || attempt >= maxAttempts) {
        observe('failed');
        jobLogger.error({ err: error, attempt, maxAttempts }, 'job failed for good');
      } else {
        observe('retrying');
        jobLogger.warn({ err: error, attempt, maxAttempts }, 'job failed; it will be retried');
      }
      throw error;
    }
  };

  const worker = new Worker<QueuePayload<Q>, R>(name, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: 2,
    autorun: options.autorun ?? true,
  });
  worker.on('error', (error) => logger.error({ err: error, queue: name }, 'worker error'));
  return worker;
}
