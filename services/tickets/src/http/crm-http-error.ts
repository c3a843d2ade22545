import { DeadlineError, HttpError, httpErrors, QueueUnavailableError } from '@helpline/runtime';
import { CrmRefusedError, isRetryableCrmError } from '../crm/crm-errors.js';

/**
 * The HTTP answer for what a CRM call threw: the CRM's own refusal is 422 with its
 * message; a CRM or queue that cannot answer now is 503 (try again). Anything else is left
 * to the app's error handler (500, details only in the log).
 */
export function crmHttpError(error: unknown): unknown {
  if (error instanceof CrmRefusedError)
    return httpErrors.unprocessable(error.message, { crmCode: error.crmCode, status: error.status });
  if (isRetryableCrmError(error) || error instanceof DeadlineError) {
    return new HttpError(503, 'crm_unavailable', error instanceof Error ? error.message : 'CRM unavailable');
  }
  if (error instanceof QueueUnavailableError) return httpErrors.unavailable(error.message);
  return error;
}
