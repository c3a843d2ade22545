import { QUEUE_SCHEMAS, type QueueName, type QueuePayloadInput } from '@helpline/contracts';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ERRORS } from '../errors/catalogue.js';
import { CodedError } from '../errors/coded-error.js';
import { PermanentError } from '../errors/permanent-error.js';
import { describeIssues, summariseIssues } from '../errors/validation.js';
import { withDeadline } from './deadline.js';
import { DEFAULT_JOB_OPTIONS } from './job-defaults.js';

/** The payload did not fit its queue's contract; nothing was written to Redis. */
export class PayloadValidationError extends PermanentError {
  constructor(queue: QueueName, issues: ReturnType<typeof summariseIssues>, message: string) {
    super('invalid_payload', `invalid ${queue} payload: ${message}`, { details: issues });
    this.name = 'PayloadValidationError';
  }
}

/** Redis did not take the job in time; the caller must not acknowledge what it carries. */
export class QueueUnavailableError extends CodedError {
  constructor(queue: string, cause: unknown) {
    super(
      ERRORS.queue_unavailable,
      `queue ${queue} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'QueueUnavailableError';
  }
}

export interface EnqueueOptions extends Omit<JobsOptions, 'jobId'> {
  /** Required: job ids are derived from the story's correlation id (contracts' `jobIds`). */
  jobId: string;
}

export interface EnqueueResult {
  jobId: string;
  /** A job with this id was already there; nothing new was added. */
  duplicate: boolean;
}

export interface Producer<Q extends QueueName> {
  readonly name: Q;
  /** The BullMQ queue, for counts and operator actions; add jobs through `add` only. */
  readonly queue: Queue<object, unknown, Q>;
  /** Validate against the queue's contract, then store; rejects with PayloadValidationError or QueueUnavailableError. */
  add(payload: QueuePayloadInput<Q>, options: EnqueueOptions): Promise<EnqueueResult>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  connection: Redis;
  /** BullMQ key prefix; tests use a unique one per run. */
  prefix?: string;
  defaultJobOptions?: JobsOptions;
  /** How long an add may take before the caller is told Redis is unavailable. */
  addTimeoutMs?: number;
}

export function createProducer<Q extends QueueName>(name: Q, options: ProducerOptions): Producer<Q> {
  const queue = new Queue<object, unknown, Q>(name, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, ...options.defaultJobOptions },
  });
  // Errors surface on the add that meets them; an unheard 'error' event would crash the process.
  queue.on('error', () => {});
  const schema = QUEUE_SCHEMAS[name];
  const addTimeoutMs = options.addTimeoutMs ?? 3_000;

  return {
    name,
    queue,
    async add(payload, { jobId, ...jobOptions }) {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        throw new PayloadValidationError(
          name,
          summariseIssues(parsed.error.issues),
          describeIssues(parsed.error.issues),
        );
      }
      try {
        return await withDeadline(
          (async () => {
            // A repeated id is a repeated delivery; BullMQ would ignore the add anyway, the
            // look-up only tells the caller so (two racing adds may both say "new", but only
            // one job is ever created).
            if (await queue.getJob(jobId)) return { jobId, duplicate: true };

            await queue.add(name, parsed.data, { ...jobOptions, jobId });
            return { jobId, duplicate: false };
          })(),
          addTimeoutMs,
          `adding a job to ${name}`,
        );
      } catch (error) {
        throw new QueueUnavailableError(name, error);
      }
    },
    close: () => queue.close(),
  };
}
