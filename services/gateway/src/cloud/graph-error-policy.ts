import { isPermanentError } from '@helpline/runtime';
import { GraphApiError, GraphNetworkError } from './graph-client.js';

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

const RETRY_CODES = new Set([130429, 80007, 4]);
const NOT_RETRIED_CODES = new Set([131026, 131048, 131049, 368, 190]);

export function decideOnSendError(error: unknown): SendErrorDecision {
  if (error instanceof GraphNetworkError) return { action: 'retry', code: 'network' };
  // Raised before any Graph call (a document by reference that its service no longer has).
  if (isPermanentError(error)) return { action: 'fail', code: error.code };
  if (!(error instanceof GraphApiError)) return { action: 'retry', code: 'unknown' };
  const code = error.code !== undefined ? String(error.code) : `http_${error.status}`;
  if (error.code !== undefined) {
    if (RETRY_CODES.has(error.code)) return { action: 'retry', code };
    if (error.code === 131056) return { action: 'pace_recipient', code };
    if (error.code === 131047) return { action: 'window_template', code };
    if (NOT_RETRIED_CODES.has(error.code)) return { action: 'fail', code };
  }
  if (error.status >= 500 || error.status === 408 || error.status === 429) return { action: 'retry', code };
  return { action: 'fail', code };
}
