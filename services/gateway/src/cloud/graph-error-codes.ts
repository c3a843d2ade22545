import { ERRORS, type ErrorDeclaration, isRetryableStatus } from '@helpline/runtime';

/**
 * Meta's error codes the gateway acts on (Cloud API error code reference), shared by the
 * Graph client (which declares its errors by them) and the send error policy (which acts).
 */
/** Throughput and rate limits: 130429, 80007, 4. */
export const GRAPH_RETRY_CODES: ReadonlySet<number> = new Set([130429, 80007, 4]);
/** The pair rate limit: too many messages to one user; that recipient is paced. */
export const GRAPH_PAIR_RATE_LIMIT = 131056;
/** Outside the 24-hour window: the template goes instead. */
export const GRAPH_WINDOW_CLOSED = 131047;
/** 131026 undeliverable, 131048 spam limit, 131049 ecosystem limit, 368 policy block, 190 token expired. */
export const GRAPH_NOT_RETRIED_CODES: ReadonlySet<number> = new Set([131026, 131048, 131049, 368, 190]);

/**
 * What a Graph API error answer means: a rate limit is worth retrying whatever its HTTP
 * status, a code retrying cannot fix is refused whatever its status; otherwise the status
 * says (5xx, 408 and 429 retry).
 */
export function graphDeclaration(status: number, providerCode: number | undefined): ErrorDeclaration {
  if (providerCode !== undefined) {
    if (GRAPH_RETRY_CODES.has(providerCode) || providerCode === GRAPH_PAIR_RATE_LIMIT) return ERRORS.graph_unavailable;
    if (GRAPH_NOT_RETRIED_CODES.has(providerCode) || providerCode === GRAPH_WINDOW_CLOSED) return ERRORS.graph_refused;
  }
  return isRetryableStatus(status) ? ERRORS.graph_unavailable : ERRORS.graph_refused;
}
