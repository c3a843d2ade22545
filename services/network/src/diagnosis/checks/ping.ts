import type { RouterRow } from '../../routeros/router-connection.js';
import { checkCustomerAddress, MAX_PING_COUNT } from '../../routeros/safe-commands.js';
import { parseDurationMs } from '../../routeros/values.js';
import { type Check, routerFailure } from './check.js';

/** Ping the customer's address (on record, or the PPPoE session's) from the router. */
export const pingCheck: Check = {
  name: 'ping',
  async run({ customer, router, settings, sessionAddress }) {
    const address = customer.serviceIp ?? sessionAddress;
    if (!router || address === undefined) {
      return { result: 'skipped', finding: 'no service address on record' };
    }
    try {
      checkCustomerAddress(address, settings.prefixes);
      const count = Math.min(MAX_PING_COUNT, Math.max(1, settings.pingCount));
      const replies = await router.run({ kind: 'ping', address, count, intervalMs: settings.pingIntervalMs });
      const data = pingFigures(replies, count);
      if (data.received === 0) {
        return {
          result: 'fail',
          finding: `customer equipment does not answer (${data.sent} sent, none answered)`,
          data,
        };
      }
      if (data.lossPercent > 0 || (data.avgMs !== null && data.avgMs > settings.slowRttMs)) {
        return {
          result: 'warn',
          finding: `customer equipment answers with ${data.lossPercent}% loss, average ${data.avgMs} ms`,
          data,
        };
      }
      return { result: 'pass', finding: `customer equipment answers, average ${data.avgMs} ms`, data };
    } catch (error) {
      return routerFailure(error);
    }
  },
};

/** Sent, received, loss and round trips from the ping's replies (the last one carries the totals). */
function pingFigures(replies: RouterRow[], count: number) {
  const last = replies.at(-1);
  const sent = Number(last?.sent ?? replies.length) || count;
  const received = Number(last?.received ?? replies.filter((r) => r.time !== undefined).length) || 0;
  const times = replies
    .map((r) => (r.time === undefined ? undefined : parseDurationMs(r.time)))
    .filter((t): t is number => t !== undefined);
  const avg = times.length ? times.reduce((a, b) => a + b, 0) / times.length : null;
  const max = times.length ? Math.max(...times) : null;
  return {
    sent,
    received,
    lossPercent: Math.round(((sent - received) / sent) * 100),
    avgMs: avg === null ? null : Math.round(avg * 10) / 10,
    maxMs: max === null ? null : Math.round(max * 10) / 10,
  };
}
