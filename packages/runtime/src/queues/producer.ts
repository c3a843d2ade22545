import {
  depthMessage,
  ILL_FORMED_MESSAGE,
  MAX_JSON_DEPTH,
  QUEUE_SCHEMAS,
  type QueueName,
  type QueuePayloadInput,
  repairTextDeep,
  tooDeep,
} from '@helpline/contracts';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ERRORS } from '../errors/catalogue.js';
import { CodedError } from '../errors/coded-error.js';
import { PermanentError } from '../errors/permanent-error.js';
import { QueueAddError } from '../errors/queue-add-error.js';
import { describeIssues, summariseIssues } from '../errors/validation.js';
import { DeadlineError, withDeadline } from './deadline.js';
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

/**
 * ioredis' and BullMQ's words for Redis being away: no offline queue, a closed connection,
 * retries exhausted, refused or timed-out sockets, or Redis saying it cannot write now.
 * Only these (and the add's own deadline) mean "try again later".
 */
export function isRedisConnectionError(error: unknown): boolean {
  if (error instanceof DeadlineError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(code)) ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|Redis not ready|ECONNREFUSED|ETIMEDOUT|ECONNRESET/i.test(
      error.message,
    ) ||
    // Redis answering that it cannot take writes now: loading, a replica mid-failover, full.
    /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|OOM)\b/.test(error.message)
  );
}

/**
 * Errors that say the payload (or its job id) cannot be stored, whatever Redis does:
 * JSON.stringify's (too deep, a cycle, a BigInt) and BullMQ's refusals of a custom id.
 */
function payloadFault(error: unknown): string | undefined {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'cannot be serialised: nested too deep';
  if (error instanceof TypeError && /circular|BigInt|serializ/i.test(error.message))
    return `cannot be serialised as JSON (${error.message.split('\n')[0]})`;
  if (error instanceof Error && /^Custom Id /.test(error.message)) return `job id refused: ${error.message}`;
  return undefined;
}

export interface EnqueueOptions extends Omit<JobsOptions, 'jobId'> {
  /** Required: job ids are derived from the story's correlation id (contracts' `jobIds`). */
  jobId: string;
  /**
   * Tell whether a job with this id was already there. It costs an EXISTS per add (sent
   * with the add, no round trip of its own), so only callers that read `duplicate` ask.
   */
  reportDuplicate?: boolean;
}

export interface Enqueued {
  jobId: string;
}

export interface EnqueueResult extends Enqueued {
  /** A job with this id was already there; nothing new was added. */
  duplicate: boolean;
}

export interface Producer<Q extends QueueName> {
  readonly name: Q;
  /** The BullMQ queue, for counts and operator actions; add jobs through `add` only. */
  readonly queue: Queue<object, unknown, Q>;
  /**
   * Validate against the queue's contract (depth first), then store. Rejects with
   * PayloadValidationError (the payload: 4xx), QueueUnavailableError (Redis away: 503) or
   * QueueAddError (anything else: 500).
   */
  add(payload: QueuePayloadInput<Q>, options: EnqueueOptions & { reportDuplicate: true }): Promise<EnqueueResult>;
  add(payload: QueuePayloadInput<Q>, options: EnqueueOptions): Promise<Enqueued>;
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

  async function add(
    payload: QueuePayloadInput<Q>,
    { jobId, reportDuplicate, ...jobOptions }: EnqueueOptions,
  ): Promise<Enqueued | EnqueueResult> {
    if (tooDeep(payload)) {
      const message = depthMessage(MAX_JSON_DEPTH);
      throw new PayloadValidationError(name, [{ path: '(root)', message }], message);
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new PayloadValidationError(name, summariseIssues(parsed.error.issues), describeIssues(parsed.error.issues));
    }
    // The schemas repair the text they know; this repairs what they pass through unread.
    const data = repairTextDeep(parsed.data);
    // Ids come from validated identifiers; one that is not well-formed would be stored by
    // Redis as other text than it is, and its job could never be found again.
    if (!jobId.isWellFormed()) {
      const message = `jobId: ${ILL_FORMED_MESSAGE}`;
      throw new PayloadValidationError(name, [{ path: 'jobId', message: ILL_FORMED_MESSAGE }], message);
    }
    try {
      return await withDeadline(
        (async (): Promise<Enqueued | EnqueueResult> => {
          if (!reportDuplicate) {
            await queue.add(name, data, { ...jobOptions, jobId });
            return { jobId };
          }
          // A repeated id is a repeated delivery: BullMQ's add ignores it and answers the id
          // either way. The EXISTS goes out before the add on the same connection (the one
          // the queue uses), so Redis runs it first and both answers come back in one round
          // trip; two racing adds may both say "new", but only one job is ever created.
          // Ready first: the connection has no offline queue to hold the EXISTS meanwhile.
          await queue.waitUntilReady();
          const [existed] = await Promise.all([
            options.connection.exists(queue.toKey(jobId)),
            queue.add(name, data, { ...jobOptions, jobId }),
          ]);
          return { jobId, duplicate: existed === 1 };
        })(),
        addTimeoutMs,
        `adding a job to ${name}`,
      );
    } catch (error) {
      if (isRedisConnectionError(error)) throw new QueueUnavailableError(name, error);
      const fault = payloadFault(error);
      if (fault) throw new PayloadValidationError(name, [{ path: '(root)', message: fault }], fault);
      throw new QueueAddError(name, error);
    }
  }

  // The overloads say what `add` answers: `duplicate` exactly when it was asked for.
  return { name, queue, add: add as Producer<Q>['add'], close: () => queue.close() };
}
