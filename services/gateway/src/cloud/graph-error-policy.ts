import { isPermanentError } from '@helpline/runtime';
import { GraphApiError, GraphNetworkError } from './graph-client.js';
import { GRAPH_PAIR_RATE_LIMIT, GRAPH_WINDOW_CLOSED } from './graph-error-codes.js';

/**
 * What to do about a failed send, by Graph error code (Cloud API error code reference):
 * - `retry`: throughput and rate limits (130429, 80007, 4), 5xx, 408/429, network errors;
 * - `pace_recipient`: the pair rate limit (131056), that recipient only;
 * - `window_template`: outside the 24-hour window (131047): send the template instead;
 * - `fail`: retrying cannot help (131026 undeliverable, 131048 spam limit, 131049
 *   ecosystem limit, 368 policy block, 190 token expired, other 4xx).
 */
export type SendErrorDecision =
  | { action: 'retry'; code: string }
  | { action: 'pace_recipient'; code: string }
  | { action: 'window_template'; code: string }
  | { action: 'fail'; code: string };

export function decideOnSendError(error: unknown): SendErrorDecision {
  if (error instanceof GraphNetworkError) return { action: 'retry', code: 'network' };
  // Raised before any Graph call (a document by reference that its service no longer has).
  if (isPermanentError(error)) return { action: 'fail', code: error.code };
  if (!(error instanceof GraphApiError)) return { action: 'retry', code: 'unknown' };
  const code = error.providerCode !== undefined ? String(error.providerCode) : `http_${error.status}`;
  if (error.providerCode === GRAPH_PAIR_RATE_LIMIT) return { action: 'pace_recipient', code };
  if (error.providerCode === GRAPH_WINDOW_CLOSED) return { action: 'window_template', code };
  // The rest as the error is declared (graph-error-codes.ts): graph_unavailable retries.
  return error.retryable ? { action: 'retry', code } : { action: 'fail', code };
}
