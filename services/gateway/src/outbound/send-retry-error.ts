import { CodedError, ERRORS } from '@helpline/runtime';

/** Retryable: thrown so the queue retries with its backoff. */
export class SendRetryError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ERRORS.send_retry, message, options);
    this.name = 'SendRetryError';
  }
}
