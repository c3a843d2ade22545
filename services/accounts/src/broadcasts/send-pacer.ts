import { createSharedRate, type Redis, type SharedRate } from '@helpline/runtime';

export type SendPacer = SharedRate;

/**
 * The pace broadcasts are handed to the `outbound` queue at: a share of WHATSAPP_SEND_RATE,
 * shared by every accounts replica (runtime's GCRA on Redis' clock).
 * The gateway's own limiter (the same rate, shared by its replicas) stays the hard cap on
 * what reaches Meta; handing out below it keeps the queue short, so a customer's reply is
 * never stuck behind thousands of broadcast messages and a cancel finds them unsent.
 */
export function createSendPacer(redis: Redis, key: string, perSecond: number): SendPacer {
  // A tenth of a second's worth (at least one message) may go at once after a late wake-up,
  // beyond the one due: the average stays at the rate, a burst far below the gateway's limit.
  return createSharedRate(redis, key, perSecond, 1 + Math.max(1, Math.floor(perSecond / 10)));
}
