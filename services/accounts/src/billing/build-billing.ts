// The back-office the accounts service reads and writes: WispHub (one client, one breaker,
// shared with the broadcast audiences) or the built-in store, timed either way.
import { createWisphubClient, type WisphubClient } from '@helpline/directory';
import type { Database, ServiceBase } from '@helpline/runtime';
import type { AccountsConfig } from '../config.js';
import { billingProviderOf } from '../config.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { BillingProvider } from './billing-provider.js';
import { createLocalBilling } from './local-billing.js';
import { timedBilling } from './timed-billing.js';
import { createWisphubBilling } from './wisphub-billing.js';

export function buildBilling(
  base: Pick<ServiceBase<AccountsConfig>, 'config' | 'metrics' | 'logger' | 'clock'>,
  db: Database,
  accountsMetrics: AccountsMetrics,
  overrides: {
    fetch?: typeof fetch;
    wisphubBreaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeout?: number };
  },
): { billing: BillingProvider; wisphub?: WisphubClient } {
  const { config, metrics, logger, clock } = base;
  const provider = billingProviderOf(config);
  // One WispHub client (one breaker) for the billing and the broadcast audiences.
  const wisphub =
    provider === 'wisphub'
      ? createWisphubClient({
          url: config.WISPHUB_API_URL as string,
          apiKey: config.WISPHUB_API_KEY as string,
          timeoutMs: config.WISPHUB_TIMEOUT_MS,
          metrics,
          logger,
          ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
          ...(overrides.wisphubBreaker ? { breaker: overrides.wisphubBreaker } : {}),
        })
      : undefined;
  const raw: BillingProvider = wisphub
    ? createWisphubBilling({ client: wisphub, timeZone: config.BUSINESS_TIMEZONE, clock })
    : createLocalBilling(db);
  const billing = timedBilling(raw, accountsMetrics.backOffice);
  return { billing, ...(wisphub ? { wisphub } : {}) };
}
