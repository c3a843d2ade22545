import type { Database, Producer, ServiceBase } from '@helpline/runtime';
import type { AudienceSource } from '../broadcasts/audience.js';
import type { WindowClient } from '../broadcasts/window-client.js';
import type { AccountsConfig } from '../config.js';
import type { TextBook } from '../conversation/texts.js';
import type { Notices } from '../notices/notices.js';
import { registerOutageMetrics } from './outage-metrics.js';
import { createOutageStore } from './outage-store.js';
import { createOutages, type Outages } from './outages.js';

/** General outages: the record, its gauge, the notices in each chat's language. */
export function buildOutages(
  base: ServiceBase<AccountsConfig>,
  deps: {
    db: Database;
    audience: AudienceSource;
    windows: WindowClient;
    outbound: Producer<'outbound'>;
    texts: TextBook;
    languages: Notices['languages'];
  },
): Outages {
  const { config, clock, logger } = base;
  const store = createOutageStore(deps.db);
  registerOutageMetrics(base.metrics, async () => (await store.openOnes()).length);
  return createOutages({
    store,
    audience: deps.audience,
    windows: deps.windows,
    outbound: deps.outbound,
    redis: base.redis('producer'),
    // The BullMQ prefix: the network service reads the open outages under its own.
    prefix: base.prefix,
    countryCode: config.NOTICE_COUNTRY_CODE,
    noticeHours: config.OUTAGE_NOTICE_HOURS,
    texts: deps.texts,
    languages: deps.languages,
    clock,
    logger,
  });
}
