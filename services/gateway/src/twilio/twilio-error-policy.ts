import { TwilioApiError, TwilioNetworkError } from './twilio-client.js';

/**
 * What to do about a failed Messages API call, by Twilio error code, in the same policy as
 * the Graph API's (docs/services/gateway-twilio.md has the table):
 * - `retry`: 20429 (too many requests), 63018 (channel rate limit), 30001 (queue overflow),
 *   5xx, network errors; a Retry-After pauses every send first;
 * - `window_template`: 63016 (free-form outside the 24-hour window): the template instead;
 * - `recipient_invalid`: 21211 (invalid To), 21614 (not a mobile number), 21610 (the
 *   recipient replied STOP), 63003 (no WhatsApp at that number), 63024 (invalid recipient):
 *   fails at once, nothing to retry for that number;
 * - `fail`: retrying cannot help (20003 credentials, 21606 / 63007 the sender is not ours,
 *   63027 / 21656 / 63028 template or its variables, 63013 / 63112 policy, other 4xx).
 */
export type TwilioErrorDecision =
  | { action: 'retry'; code: string; pauseMs?: number }
  | { action: 'window_template'; code: string }
  | { action: 'recipient_invalid'; code: string }
  | { action: 'fail'; code: string };

export const TWILIO_RETRY_CODES = new Set([20429, 63018, 30001]);
export const TWILIO_WINDOW_CODES = new Set([63016]);
export const TWILIO_RECIPIENT_CODES = new Set([21211, 21614, 21610, 63003, 63024]);

export function decideOnTwilioError(error: unknown): TwilioErrorDecision {
  if (error instanceof TwilioNetworkError) return { action: 'retry', code: 'network' };
  if (!(error instanceof TwilioApiError)) return { action: 'retry', code: 'unknown' };
  const code = error.code !== undefined ? String(error.code) : `http_${error.status}`;
  if (error.code !== undefined) {
    if (TWILIO_WINDOW_CODES.has(error.code)) return { action: 'window_template', code };
    if (TWILIO_RECIPIENT_CODES.has(error.code)) return { action: 'recipient_invalid', code };
    if (TWILIO_RETRY_CODES.has(error.code)) {
      return { action: 'retry', code, ...(error.retryAfterMs !== undefined ? { pauseMs: error.retryAfterMs } : {}) };
    }
  }
  if (error.status === 429) {
    return { action: 'retry', code, ...(error.retryAfterMs !== undefined ? { pauseMs: error.retryAfterMs } : {}) };
  }
  if (error.status >= 500 || error.status === 408) return { action: 'retry', code };
  return { action: 'fail', code };
}
