import { createWisphubClient, type WisphubClient } from '@helpline/directory';
import type { Database, ServiceBase } from '@helpline/runtime';
import { type AccountsConfig, billingProviderOf } from '../config.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import type { BillingProvider } from './billing-provider.js';
import { createLocalBilling } from './local-billing.js';
import { timedBilling } from './timed-billing.js';
import { createWisphubBilling } from './wisphub-billing.js';

export interface BillingOverrides {
  fetch?: typeof fetch;
  wisphubBreaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeout?: number };
}

/**
 * The back-office the configuration names, timed: WispHub (its client, with the one
 * breaker the billing and the broadcast audiences share) or the built-in store.
 */
export function buildBilling(
  base: ServiceBase<AccountsConfig>,
  db: Database,
  accountsMetrics: AccountsMetrics,
  overrides: BillingOverrides,
): { billing: BillingProvider; wisphub?: WisphubClient } {
  const { config, metrics, logger, clock } = base;
  const wisphub =
    billingProviderOf(config) === 'wisphub'
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
  return { billing: timedBilling(raw, accountsMetrics.backOffice), ...(wisphub ? { wisphub } : {}) };
}
