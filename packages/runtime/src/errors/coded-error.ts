import { declarationOf, type ErrorDeclaration } from './catalogue.js';

export interface CodedErrorOptions {
  cause?: unknown;
  /** Shown in the HTTP answer's `details` (never for a 5xx) and kept on failed jobs. */
  details?: unknown;
}

/**
 * An error whose code is declared in the catalogue: the app's error handler answers it with
 * the declared status, and a worker retries it only when the declaration says retryable.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly retryable: boolean;
  /** The `error` field of an HTTP answer. */
  readonly answer: string;
  readonly details?: unknown;

  constructor(declaration: ErrorDeclaration, message: string, options: CodedErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'CodedError';
    this.code = declaration.code;
    this.statusCode = declaration.statusCode;
    this.retryable = declaration.retryable;
    this.answer = declaration.answer ?? declaration.code;
    this.details = options.details;
  }
}

/**
 * The declaration for a code that may or may not be in the catalogue: an undeclared one
 * gets the given status, retryable when it is a 5xx (the docs test names what is missing).
 */
export function declarationFor(code: string, statusCode: number): ErrorDeclaration {
  return declarationOf(code) ?? { code, statusCode, retryable: statusCode >= 500, description: '' };
}

/** Whether retrying may help: false for a CodedError declared non-retryable, true otherwise. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof CodedError) || error.retryable;
}
