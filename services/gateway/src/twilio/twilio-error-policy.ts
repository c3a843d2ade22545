import { ERRORS } from '@helpline/runtime';
import { TwilioApiError, TwilioNetworkError } from './twilio-client.js';
import { TWILIO_RETRY_CODES, TWILIO_WINDOW_CODES } from './twilio-error-codes.js';

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

export function decideOnTwilioError(error: unknown): TwilioErrorDecision {
  if (error instanceof TwilioNetworkError) return { action: 'retry', code: 'network' };
  if (!(error instanceof TwilioApiError)) return { action: 'retry', code: 'unknown' };
  const code = error.providerCode !== undefined ? String(error.providerCode) : `http_${error.status}`;
  if (error.providerCode !== undefined && TWILIO_WINDOW_CODES.has(error.providerCode)) {
    return { action: 'window_template', code };
  }
  // The rest as the error is declared (twilio-error-codes.ts).
  if (error.code === ERRORS.recipient_invalid.code) return { action: 'recipient_invalid', code };
  if (!error.retryable) return { action: 'fail', code };
  const pause =
    error.status === 429 || (error.providerCode !== undefined && TWILIO_RETRY_CODES.has(error.providerCode));
  return {
    action: 'retry',
    code,
    ...(pause && error.retryAfterMs !== undefined ? { pauseMs: error.retryAfterMs } : {}),
  };
}
