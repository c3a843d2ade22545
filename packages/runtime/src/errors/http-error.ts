/**
 * An error with its HTTP answer. The app's error handler turns it into the one JSON shape
 * `{ error, message, details? }`; `error` is a stable machine-readable code.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(statusCode: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
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
