import { parseRatePair } from '../../routeros/values.js';
import { type Check, routerFailure } from './check.js';

/** Queue use against the plan's limit. */
export const queueCheck: Check = {
  name: 'queue',
  async run({ customer, router, settings }) {
    if (!router) return { result: 'skipped', finding: 'no queue with a limit found for this customer' };
    try {
      const rows = customer.pppoeUser
        ? await router.run({ kind: 'queues', name: `<pppoe-${customer.pppoeUser}>` })
        : customer.serviceIp
          ? await router.run({ kind: 'queues', target: customer.serviceIp })
          : undefined;
      const queue = rows?.[0];
      const limit = queue?.['max-limit'] ? parseRatePair(queue['max-limit']) : undefined;
      const rate = queue?.rate ? parseRatePair(queue.rate) : undefined;
      if (!queue || !limit || !rate || limit.download === 0) {
        return { result: 'skipped', finding: 'no queue with a limit found for this customer' };
      }
      const use = rate.download / limit.download;
      const data = { downloadBps: rate.download, downloadLimitBps: limit.download, usePercent: Math.round(use * 100) };
      if (use >= settings.queueSaturation) {
        return { result: 'warn', finding: `plan speed nearly used up (${data.usePercent}%)`, data };
      }
      return { result: 'pass', finding: `plan speed in use: ${data.usePercent}%`, data };
    } catch (error) {
      return routerFailure(error);
    }
  },
};
