import type { WhatsAppTemplatesFile } from '@helpline/contracts';
import type { Database, Producer, ServiceBase } from '@helpline/runtime';
import type { AccountsConfig } from '../config.js';
import type { AudienceSource } from './audience.js';
import { type BroadcastMetrics, createBroadcastMetrics } from './broadcast-metrics.js';
import { readTemplatesFile } from './broadcast-request.js';
import { type BroadcastStore, createBroadcastStore } from './broadcast-store.js';
import { type Broadcasts, createBroadcasts } from './broadcasts.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import { createSendPacer } from './send-pacer.js';
import type { WindowClient } from './window-client.js';

/** Broadcasts: the store, the pacer that hands them out, the staff's operations. */
export interface BroadcastParts {
  store: BroadcastStore;
  dispatcher: Dispatcher;
  service: Broadcasts;
  metrics: BroadcastMetrics;
  templates: WhatsAppTemplatesFile;
}

export interface BroadcastDeps {
  db: Database;
  audience: AudienceSource;
  windows: WindowClient;
  outbound: Producer<'outbound'>;
  /** Broadcast dispatch tuning (tests). */
  tuning?: { staleAfterMs?: number; batchSize?: number };
}

/** The broadcast parts, the dispatcher stopped on shutdown before the database and Redis close. */
export function buildBroadcasts(base: ServiceBase<AccountsConfig>, deps: BroadcastDeps): BroadcastParts {
  const { config, metrics, clock, logger, keyPrefix } = base;
  // The outcome counter is made with the gauges, which read the store: the store counts through it.
  let countOutcome: (state: string, n: number) => void = () => {};
  const store = createBroadcastStore(deps.db, { onChange: (state, n) => countOutcome(state, n) });
  const broadcastMetrics = createBroadcastMetrics(metrics, () => store.activeCounts());
  countOutcome = (state, n) => broadcastMetrics.outcomes.inc({ outcome: state }, n);
  const dispatcher = createDispatcher({
    store,
    outbound: deps.outbound,
    pacer: createSendPacer(
      base.redis('producer'),
      `${keyPrefix}:broadcast:pace`,
      (config.WHATSAPP_SEND_RATE * config.BROADCAST_RATE_PERCENT) / 100,
    ),
    windows: deps.windows,
    redis: base.redis('producer'),
    keyPrefix,
    clock,
    logger,
    ...(deps.tuning ?? {}),
    onHanded: (n) => broadcastMetrics.handedOut.inc(n),
  });
  // Stopped before the database and Redis close (resources close last added first).
  base.addResource({ name: 'broadcast dispatcher', close: () => dispatcher.stop() });
  const templates = readTemplatesFile(config.WHATSAPP_TEMPLATES_FILE);
  return {
    store,
    dispatcher,
    metrics: broadcastMetrics,
    templates,
    service: createBroadcasts({
      store,
      audience: deps.audience,
      windows: deps.windows,
      dispatcher,
      templates,
      countryCode: config.NOTICE_COUNTRY_CODE,
      clock,
      logger,
    }),
  };
}
