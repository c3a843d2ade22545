import type { Check } from './check.js';

/** A general outage recorded on the customer's router. */
export const outageCheck: Check = {
  name: 'outage',
  run({ customer }) {
    if (customer.routerOutage) return { result: 'fail', finding: 'general outage recorded on the customer router' };
    if (customer.routerOutage === false) return { result: 'pass', finding: 'no general outage recorded' };
    return { result: 'skipped', finding: 'outage flag not available from the customer directory' };
  },
};
