/**
 * Open outages by router, shared by the accounts service (which keeps the outage records in
 * PostgreSQL and writes this hash when one opens or ends) and the network service (which
 * reads it to answer a complaint from that router with the outage and join its one
 * incident ticket). A Redis hash under the BullMQ prefix: field = router name in lower
 * case, value = outage id.
 */
export const openOutagesKey = (prefix: string): string => `${prefix}:outages:open`;

/**
 * The open outages that may end by themselves (a Redis set of outage ids, written by the
 * accounts service beside the hash above): the detected ones, and those staff declared with
 * `ends_by_itself`. The network service probes their routers and resolves them once the
 * router answers and diagnoses on it pass again.
 */
export const selfEndingOutagesKey = (prefix: string): string => `${prefix}:outages:self-ending`;

/** Phones of customers who complained during an outage (a Redis set): told when it ends. */
export const outageComplainersKey = (prefix: string, outageId: string): string =>
  `${prefix}:outages:${outageId}:complainers`;

/** The one incident ticket of an outage: every complaint from its router joins it. */
export const outageTicketKey = (outageId: string): string => `outage-${outageId}`;
