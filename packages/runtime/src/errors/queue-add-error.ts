/**
 * `queue.add` failed for a reason that is neither Redis being away (QueueUnavailableError,
 * 503) nor the payload (PayloadValidationError, 4xx): a bug or a surprise. The HTTP app
 * answers 500 and logs it once, with its cause.
 */
export class QueueAddError extends Error {
  readonly queue: string;

  constructor(queue: string, cause: unknown) {
    super(`adding a job to ${queue} failed unexpectedly`, { cause });
    this.name = 'QueueAddError';
    this.queue = queue;
  }
}
