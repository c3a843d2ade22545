import type { Database, Producer, ServiceBase } from '@helpline/runtime';
import type { BillingProvider } from '../billing/billing-provider.js';
import type { AccountsConfig } from '../config.js';
import type { TextBook } from '../conversation/texts.js';
import { createNoticeMetrics } from './notice-metrics.js';
import { createNotices, type Notices } from './notices.js';

/** The notices (scheduled, restored, opt-outs) with their metrics, from the configuration. */
export function buildNotices(
  base: ServiceBase<AccountsConfig>,
  deps: { db: Database; billing: BillingProvider; outbound: Producer<'outbound'>; texts: TextBook },
): Notices {
  const { config, metrics, clock } = base;
  const notices: Notices = createNotices({
    ...deps,
    redis: base.redis('producer'),
    prefix: base.prefix,
    metrics: createNoticeMetrics(metrics, {
      enabled: config.NOTICES_ENABLED,
      lastRunAt: () => notices.ledger.lastRunAt(),
      startedAt: clock(),
    }),
    logger: base.logger,
    clock,
    enabled: config.NOTICES_ENABLED,
    timeZone: config.BUSINESS_TIMEZONE,
    daysBeforeDue: config.NOTICE_DAYS_BEFORE_DUE,
    countryCode: config.NOTICE_COUNTRY_CODE,
  });
  return notices;
}
