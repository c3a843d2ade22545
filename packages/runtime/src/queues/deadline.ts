import { ERRORS } from '../errors/catalogue.js';
import { CodedError } from '../errors/coded-error.js';

export class DeadlineError extends CodedError {
  constructor(what: string, ms: number) {
    super(ERRORS.deadline_exceeded, `${what} did not finish within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** Settles with the promise, or rejects with a DeadlineError once `ms` pass. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
