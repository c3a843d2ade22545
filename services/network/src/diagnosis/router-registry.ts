import type { CustomerRecord } from '../customers/customer-directory.js';
import type { RouterClient } from '../routeros/router-client.js';

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

  /** The customer's router by name; with a single router configured, that one serves everybody. */
  forCustomer(customer: CustomerRecord): RouterClient | undefined {
    if (customer.router !== undefined) {
      const named = this.byName.get(customer.router);
      if (named) return named;
    }
    return this.byName.size === 1 ? this.all()[0] : undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((c) => c.close()));
  }
}
