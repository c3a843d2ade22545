import type { Check } from './check.js';

/** Account state: only a directory that keeps it (WispHub) can say. */
export const accountCheck: Check = {
  name: 'account',
  run({ customer }) {
    if (customer.account === undefined || customer.account === 'unknown') {
      return { result: 'skipped', finding: 'account state not available from the customer directory' };
    }
    if (customer.account === 'active') return { result: 'pass', finding: 'account active' };
    return { result: 'fail', finding: `account ${customer.account}`, data: { state: customer.account } };
  },
};
