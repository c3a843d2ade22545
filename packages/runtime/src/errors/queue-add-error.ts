import { ERRORS } from './catalogue.js';
import { CodedError } from './coded-error.js';

/**
 * `queue.add` failed for a reason that is neither Redis being away (QueueUnavailableError,
 * 503) nor the payload (PayloadValidationError, 4xx): a bug or a surprise. The HTTP app
 * answers 500 `internal_error` and logs it once, with its cause; a worker retries it.
 */
export class QueueAddError extends CodedError {
  readonly queue: string;

  constructor(queue: string, cause: unknown) {
    super(ERRORS.queue_add_failed, `adding a job to ${queue} failed unexpectedly`, { cause });
    this.name = 'QueueAddError';
    this.queue = queue;
  }
}
