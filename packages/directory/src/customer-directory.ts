import type { CustomerReference } from '@helpline/contracts';
import type { CircuitBreaker } from '@helpline/runtime';
import type { WisphubCall } from './wisphub-client.js';

export type AccountState = 'active' | 'suspended' | 'arrears' | 'cancelled' | 'unknown';

/**
 * One customer account as the diagnosis and the accounts service need it. `serviceIp` is used on the router only:
 * it never appears in a reply, a report or a log line.
 */
export interface CustomerRecord {
  customerId: string;
  name?: string;
  phones: string[];
  documentNumber?: string;
  pppoeUser?: string;
  serviceIp?: string;
  /** Router name, as configured in MIKROTIK_ROUTERS. */
  router?: string;
  plan?: string;
  /** The back-office's id of the plan, when it has one (WispHub `plan_internet.id`). */
  planId?: string;
  /** Amount owed as the back-office states it: a decimal string (`"85000.00"`), never a float. */
  balance?: string;
  /** Date the service is cut for non-payment, as the back-office states it. */
  cutoffDate?: string;
  /** Known only when the directory keeps it (WispHub). */
  account?: AccountState;
  /** The customer's router has a general outage on record (WispHub). */
  routerOutage?: boolean;
}

/** Where customers come from: a file, or WispHub. Several matches are all returned, never just the first. */
export interface CustomerDirectory {
  readonly source: 'file' | 'wisphub' | 'none';
  /** A remote directory's breaker, for /health. */
  readonly breaker?: CircuitBreaker<[WisphubCall], unknown>;
  find(reference: CustomerReference): Promise<CustomerRecord[]>;
}

/** Phones compare on their last ten digits, so `+57 300 123 4567` and `3001234567` are one number. */
export function phoneKey(phone: string): string {
  return phone.replace(/\D/g, '').slice(-10);
}

export function phoneMatches(candidates: readonly string[], wanted: string): boolean {
  const key = phoneKey(wanted);
  return key.length >= 7 && candidates.some((p) => phoneKey(p) === key);
}

/** Used when neither CUSTOMERS_FILE nor WispHub is configured: nobody can be found. */
export const emptyDirectory: CustomerDirectory = { source: 'none', find: async () => [] };
