// How the local store's database failures read to the rest of the tickets service: as the
// CRM errors a Zoho outage would raise, so the job and POST /tickets treat both alike.
import { CodedError, describeDatabaseError, ERRORS, isConnectionError } from '@helpline/runtime';
import { CrmAmbiguousError, CrmUnavailableError } from '../crm-errors.js';

// Statement cancelled (statement_timeout), serialization failure, deadlock: worth a retry.
const TRANSIENT_CODES = new Set(['57014', '40001', '40P01']);

/**
 * PostgreSQL away or too slow is the store being unavailable, as a CRM outage is: the job
 * retries over the retry horizon and POST /tickets queues. A write that failed so may have
 * committed (the answer to COMMIT lost), hence ambiguous: the key is looked up before the next.
 */
function asCrmError(error: unknown, write: boolean): unknown {
  const code = (error as { code?: unknown }).code;
  const transient = isConnectionError(error) || (typeof code === 'string' && TRANSIENT_CODES.has(code));
  if (!transient) return error;
  const message = `local ticket store unavailable: ${describeDatabaseError(error)}`;
  return write ? new CrmAmbiguousError(message, { cause: error }) : new CrmUnavailableError(message, { cause: error });
}

export function guarded<A extends unknown[], R>(write: boolean, call: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (error) {
      throw asCrmError(error, write);
    }
  };
}

/**
 * Thrown inside a create's transaction to roll it back (giving its number back) when the key
 * was taken meanwhile; the create then answers what the other one made. Should that be gone
 * too (erased between), it leaves the create as what it is: another attempt's work, retried.
 */
export class TakenMeanwhile extends CodedError {
  constructor() {
    super(ERRORS.ticket_busy, 'another create took this key meanwhile');
  }
}
