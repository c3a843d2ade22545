import { CodedError, ERRORS, PermanentError } from '@helpline/runtime';

/**
 * The CRM refused the request (validation, a 4xx other than 408/429, bad credentials):
 * retrying cannot fix it. The job fails at once with this message; HTTP answers 422
 * `unprocessable` with the CRM's code and status as details (catalogue: crm_refused).
 */
export class CrmRefusedError extends PermanentError {
  readonly status: number | undefined;
  readonly crmCode: string | undefined;
  /** The CRM's own error list, for the log. */
  readonly crmErrors: unknown;

  constructor(
    message: string,
    options: { status?: number; crmCode?: string; details?: unknown; cause?: unknown } = {},
  ) {
    super('crm_refused', message, {
      details: { crmCode: options.crmCode, status: options.status },
      cause: options.cause,
    });
    this.name = 'CrmRefusedError';
    this.status = options.status;
    this.crmCode = options.crmCode;
    this.crmErrors = options.details;
  }
}

/** The CRM could not answer now (5xx, 429, a network error, the breaker open): retry later. */
export class CrmUnavailableError extends CodedError {
  /** The CRM's own hint (Retry-After), when it gave one. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(ERRORS.crm_unavailable, message, { cause: options.cause });
    this.name = 'CrmUnavailableError';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A write whose outcome is unknown: the deadline passed or the connection dropped after
 * the request was sent. The CRM may have created the record, so the next attempt must look
 * it up by its idempotency key before writing again.
 */
export class CrmAmbiguousError extends CrmUnavailableError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CrmAmbiguousError';
  }
}

/** Another attempt holds this key's lock right now; retry once it is done. */
export class TicketBusyError extends CodedError {
  constructor(key: string) {
    super(ERRORS.ticket_busy, `ticket ${key} is being created by another attempt`);
    this.name = 'TicketBusyError';
  }
}

export function isRetryableCrmError(error: unknown): boolean {
  return error instanceof CrmUnavailableError || error instanceof TicketBusyError;
}
