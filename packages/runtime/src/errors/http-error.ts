import { CodedError, declarationFor } from './coded-error.js';

/**
 * An error with its HTTP answer, for route handlers. The app's error handler turns every
 * CodedError into the one JSON shape `{ error, message, details? }`; `error` is a stable
 * machine-readable code from the catalogue (docs/errors.md).
 */
export class HttpError extends CodedError {
  constructor(statusCode: number, code: string, message: string, details?: unknown) {
    // The status given here wins over the declared one: it is what this route answers.
    super({ ...declarationFor(code, statusCode), statusCode }, message, { details });
    this.name = 'HttpError';
  }
}

export const httpErrors = {
  badRequest: (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details),
  unauthorized: (message = 'missing or wrong bearer token') => new HttpError(401, 'unauthorized', message),
  forbidden: (message: string) => new HttpError(403, 'forbidden', message),
  notFound: (message: string) => new HttpError(404, 'not_found', message),
  conflict: (message: string, details?: unknown) => new HttpError(409, 'conflict', message, details),
  unprocessable: (message: string, details?: unknown) => new HttpError(422, 'unprocessable', message, details),
  unavailable: (message: string, details?: unknown) => new HttpError(503, 'unavailable', message, details),
};
