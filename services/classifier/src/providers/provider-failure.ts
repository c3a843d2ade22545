import { CodedError, ERRORS, type ErrorDeclaration } from '@helpline/runtime';
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
  /** The answer stopped at the output token limit before it was whole (MAX_TOKENS, thinking). */
  'output_limit',
  'bad_request',
  'auth_error',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/**
 * Which catalogue code each reason is. A refusal (400/422, a wrong key) says the request or
 * the configuration is wrong, not that the provider is unwell: declared not retryable, so a
 * breaker neither opens nor closes on it. So is an answer cut at the output limit: the
 * provider did what it was asked, within a budget (MAX_TOKENS, GEMINI_THINKING_BUDGET) too
 * small for it. An answer that is not a classification is the provider's fault, as an
 * outage is.
 */
const CODE_OF_REASON: Record<SkipReason, ErrorDeclaration> = {
  no_key: ERRORS.provider_refused,
  output_limit: ERRORS.provider_refused,
  bad_request: ERRORS.provider_refused,
  auth_error: ERRORS.provider_refused,
  breaker_open: ERRORS.provider_unavailable,
  timeout: ERRORS.provider_unavailable,
  rate_limited: ERRORS.provider_unavailable,
  server_error: ERRORS.provider_unavailable,
  invalid_answer: ERRORS.provider_invalid_answer,
};

export class ProviderFailure extends CodedError {
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
    super(CODE_OF_REASON[reason], `${provider}: ${message}`, { cause: options.cause });
    this.name = 'ProviderFailure';
    this.provider = provider;
    this.reason = reason;
    this.status = options.status;
  }
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
