import { CodedError, type CodedErrorOptions, declarationFor } from './coded-error.js';

/**
 * An error that retrying cannot fix: bad input, a 4xx answer other than 408 or 429, a
 * refused credential. Workers fail such a job at once (BullMQ's UnrecoverableError) and
 * breakers do not count it against the provider. Its code is looked up in the catalogue
 * (for the HTTP status); whatever the catalogue says, a PermanentError is never retried.
 */
export class PermanentError extends CodedError {
  constructor(code: string, message: string, options: CodedErrorOptions = {}) {
    super({ ...declarationFor(code, 422), retryable: false }, message, options);
    this.name = 'PermanentError';
  }
}

export function isPermanentError(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}

/** 408 (timeout) and 429 (rate limit) are worth retrying; other 4xx are not; 5xx are. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
