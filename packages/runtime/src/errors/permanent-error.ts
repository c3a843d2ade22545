/**
 * An error that retrying cannot fix: bad input, a 4xx answer other than 408 or 429, a
 * refused credential. Workers fail such a job at once (BullMQ's UnrecoverableError) and
 * breakers do not count it against the provider.
 */
export class PermanentError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PermanentError';
    this.code = code;
    this.details = options.details;
  }
}

export function isPermanentError(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}

/** 408 (timeout) and 429 (rate limit) are worth retrying; other 4xx are not; 5xx are. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
