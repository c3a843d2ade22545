import { ERRORS, type ErrorDeclaration, isRetryableStatus } from '@helpline/runtime';

/**
 * Twilio's error codes the gateway acts on (docs/services/gateway-twilio.md has the table),
 * shared by the Twilio client (which declares its errors by them) and the error policy.
 */
/** 20429 too many requests, 63018 channel rate limit, 30001 queue overflow. */
export const TWILIO_RETRY_CODES: ReadonlySet<number> = new Set([20429, 63018, 30001]);
/** 63016: free-form outside the 24-hour window; the template goes instead. */
export const TWILIO_WINDOW_CODES: ReadonlySet<number> = new Set([63016]);
/** 21211 invalid To, 21614 not a mobile number, 21610 replied STOP, 63003 no WhatsApp, 63024 invalid recipient. */
export const TWILIO_RECIPIENT_CODES: ReadonlySet<number> = new Set([21211, 21614, 21610, 63003, 63024]);

/**
 * What a Twilio error answer means: a recipient code is `recipient_invalid`, a rate limit
 * is worth retrying whatever its status, the window code is refused (the template goes
 * instead); otherwise the status says (5xx, 408 and 429 retry).
 */
export function twilioDeclaration(status: number, providerCode: number | undefined): ErrorDeclaration {
  if (providerCode !== undefined) {
    if (TWILIO_RECIPIENT_CODES.has(providerCode)) return ERRORS.recipient_invalid;
    if (TWILIO_RETRY_CODES.has(providerCode)) return ERRORS.twilio_unavailable;
    if (TWILIO_WINDOW_CODES.has(providerCode)) return ERRORS.twilio_refused;
  }
  return isRetryableStatus(status) ? ERRORS.twilio_unavailable : ERRORS.twilio_refused;
}
