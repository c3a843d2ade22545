import { declarationOf, type ErrorDeclaration } from './catalogue.js';

export interface CodedErrorOptions {
  cause?: unknown;
  /** Shown in the HTTP answer's `details` (never for a 5xx) and kept on failed jobs. */
  details?: unknown;
  /**
   * The outside provider's own error number or label (Meta's 131026, Twilio's 63003), kept
   * apart from the catalogue code so that what users and reports see keeps the provider's word.
   */
  providerCode?: string | number;
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
  readonly providerCode?: string | number;

  constructor(declaration: ErrorDeclaration, message: string, options: CodedErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'CodedError';
    this.code = declaration.code;
    this.statusCode = declaration.statusCode;
    this.retryable = declaration.retryable;
    this.answer = declaration.answer ?? declaration.code;
    this.details = options.details;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
  }
}

/**
 * The declaration for a code that may or may not be in the catalogue: an undeclared one
 * gets the given status, retryable when it is a 5xx (the docs test names what is missing).
 */
export function declarationFor(code: string, statusCode: number): ErrorDeclaration {
  return declarationOf(code) ?? { code, statusCode, retryable: statusCode >= 500, description: '' };
}

/**
 * How a failed job's reason names a coded error: `<code>: <message>`, or
 * `<code> (<providerCode>): <message>` when an outside provider gave its own number
 * (`graph_refused (131026): ...`), which readers of the reason (broadcast reports) show.
 */
export function failureReason(error: CodedError): string {
  const provider = error.providerCode !== undefined ? ` (${error.providerCode})` : '';
  return `${error.code}${provider}: ${error.message}`;
}

/** Whether retrying may help: false for a CodedError declared non-retryable, true otherwise. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof CodedError) || error.retryable;
}
