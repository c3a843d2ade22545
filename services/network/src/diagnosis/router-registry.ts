import type { CustomerRecord } from '@helpline/directory';
import { CodedError, ERRORS } from '@helpline/runtime';
import type { RouterClient } from '../routeros/router-client.js';

/**
 * The customer's record does not say which of several routers serves them. The message
 * never carries the name on record: it comes from the directory (free text in WispHub) and
 * may hold an address.
 */
export class UnknownRouterError extends CodedError {
  readonly reason: 'unknown_router' | 'no_router_on_record';

  constructor(reason: UnknownRouterError['reason'], configured: number) {
    super(
      ERRORS.unknown_router,
      reason === 'unknown_router'
        ? `the customer's router is not one of the ${configured} configured routers (MIKROTIK_ROUTERS)`
        : `the customer has no router on record and ${configured} routers are configured`,
    );
    this.name = 'UnknownRouterError';
    this.reason = reason;
  }
}

/** The configured routers by name, and which one serves a customer. */
export class RouterRegistry {
  private readonly byName: Map<string, RouterClient>;

  constructor(clients: readonly RouterClient[]) {
    this.byName = new Map(clients.map((c) => [c.name, c]));
  }

  get configured(): boolean {
    return this.byName.size > 0;
  }

  all(): RouterClient[] {
    return [...this.byName.values()];
  }

  /**
   * The customer's router by name; with a single router configured, that one serves
   * everybody. Throws UnknownRouterError when several are configured and the record names
   * none of them (or none at all): guessing would diagnose the wrong network.
   */
  forCustomer(customer: CustomerRecord): RouterClient {
    if (customer.router !== undefined) {
      const named = this.byName.get(customer.router);
      if (named) return named;
    }
    const [only] = this.byName.values();
    if (this.byName.size === 1 && only) return only;
    throw new UnknownRouterError(
      customer.router === undefined ? 'no_router_on_record' : 'unknown_router',
      this.byName.size,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((c) => c.close()));
  }
}
