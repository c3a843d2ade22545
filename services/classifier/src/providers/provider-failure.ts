import type { ProviderName } from './provider.js';

/**
 * Why a provider was passed over. The first two never reach the provider; the others are
 * what its call came back with.
 */
export const SKIP_REASONS = [
  'no_key',
  'breaker_open',
  'timeout',
  'rate_limited',
  'server_error',
  'invalid_answer',
  'bad_request',
  'auth_error',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Reasons that say the request or the configuration is wrong, not that the provider is unwell. */
const NOT_A_FAULT: ReadonlySet<SkipReason> = new Set(['bad_request', 'auth_error']);

export class ProviderFailure extends Error {
  readonly provider: ProviderName;
  readonly reason: SkipReason;
  /** The HTTP status the provider answered with, when it answered. */
  readonly status: number | undefined;

  constructor(
    provider: ProviderName,
    reason: SkipReason,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(`${provider}: ${message}`, { cause: options.cause });
    this.name = 'ProviderFailure';
    this.provider = provider;
    this.reason = reason;
    this.status = options.status;
  }
}

/** For the breaker: a 400/422 or a refused key must not open it. */
export function isNotAFault(error: unknown): boolean {
  return error instanceof ProviderFailure && NOT_A_FAULT.has(error.reason);
}

/** The reason an HTTP status stands for. */
export function reasonForStatus(status: number): SkipReason {
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/**
 * Turns whatever an SDK threw into a ProviderFailure. `signal` is the call's own deadline:
 * once it has fired, any error (the SDK's abort error, a reset socket) is a timeout.
 */
export function toProviderFailure(provider: ProviderName, error: unknown, signal: AbortSignal): ProviderFailure {
  if (error instanceof ProviderFailure) return error;
  if (signal.aborted)
    return new ProviderFailure(provider, 'timeout', 'no answer before the deadline', { cause: error });
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400) {
    return new ProviderFailure(provider, reasonForStatus(status), `answered ${status}`, { status, cause: error });
  }
  // A body that is not JSON is an answer the provider got wrong; anything else without a
  // status (refused connection, reset socket) is the provider being unreachable.
  if (error instanceof SyntaxError)
    return new ProviderFailure(provider, 'invalid_answer', 'answer body is not JSON', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderFailure(provider, 'server_error', `unreachable: ${message}`, { cause: error });
}
