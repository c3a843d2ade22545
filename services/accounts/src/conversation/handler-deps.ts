import type { Producer } from '@helpline/runtime';
import type { IdentityStore } from '../identity/identity-store.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { Notices } from '../notices/notices.js';
import type { FlowDeps } from './flows.js';
import type { ReceiptIntakeDeps } from './receipt-intake.js';
import type { TextBook } from './texts.js';

export interface HandlerDeps extends FlowDeps, Omit<ReceiptIntakeDeps, 'customerIdOf' | 'metrics'> {
  outbound: Producer<'outbound'>;
  identity: IdentityStore;
  metrics: AccountsMetrics;
  texts: TextBook;
  maxIdentityTries: number;
  /** Opt-out of notices and the chat's language for them. */
  notices?: Pick<Notices, 'optOut' | 'languages'>;
}

/** What `whoIsAsking` and `allowedAccounts` need of the handler's dependencies. */
export const whoDepsOf = (deps: HandlerDeps) => ({
  billing: deps.billing,
  identity: deps.identity,
  metrics: deps.metrics,
});
