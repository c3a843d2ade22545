// Broadcasts as the accounts service wires them: the store and its metrics, the audience
// (WispHub or the built-in store), the gateway's windows, the dispatcher that hands
// recipients out at the configured share of the send rate, the staff's operations. The
// audience and the windows are the outages' too.
import { createWisphubDirectory, type WisphubClient } from '@helpline/directory';
import type { Database, Producer, ServiceBase } from '@helpline/runtime';
import type { AccountsConfig } from '../config.js';
import { type AudienceSource, localAudienceSource, wisphubAudienceSource } from './audience.js';
import { createBroadcastMetrics } from './broadcast-metrics.js';
import { readTemplatesFile } from './broadcast-request.js';
import { createBroadcastStore } from './broadcast-store.js';
import { createBroadcasts } from './broadcasts.js';
import { createDispatcher } from './dispatcher.js';
import { createSendPacer } from './send-pacer.js';
import { createWindowClient, type WindowClient } from './window-client.js';

export function buildBroadcasts(
  base: ServiceBase<AccountsConfig>,
  parts: {
    db: Database;
    wisphub?: WisphubClient;
    outbound: Producer<'outbound'>;
    overrides: {
      fetch?: typeof fetch;
      windows?: WindowClient;
      broadcast?: { staleAfterMs?: number; batchSize?: number };
    };
  },
) {
  const { config, metrics, clock, keyPrefix, logger } = base;
  const { db, wisphub, overrides } = parts;
  const producers = { outbound: parts.outbound };
  // The outcome counter is made with the gauges, which read the store: the store counts through it.
  let countOutcome: (state: string, n: number) => void = () => {};
  const broadcastStore = createBroadcastStore(db, { onChange: (state, n) => countOutcome(state, n) });
  const audience: AudienceSource = wisphub
    ? wisphubAudienceSource(createWisphubDirectory({ client: wisphub } as Parameters<typeof createWisphubDirectory>[0]))
    : localAudienceSource(db);
  const windows =
    overrides.windows ??
    createWindowClient({
      gatewayUrl: config.GATEWAY_URL,
      ...(config.API_TOKEN ? { token: config.API_TOKEN } : {}),
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    });
  const broadcastMetrics = createBroadcastMetrics(metrics, () => broadcastStore.activeCounts());
  countOutcome = (state, n) => broadcastMetrics.outcomes.inc({ outcome: state }, n);
  const dispatcher = createDispatcher({
    store: broadcastStore,
    outbound: producers.outbound,
    pacer: createSendPacer(
      base.redis('producer'),
      `${keyPrefix}:broadcast:pace`,
      (config.WHATSAPP_SEND_RATE * config.BROADCAST_RATE_PERCENT) / 100,
    ),
    windows,
    redis: base.redis('producer'),
    keyPrefix,
    clock,
    logger,
    ...(overrides.broadcast ?? {}),
    onHanded: (n) => broadcastMetrics.handedOut.inc(n),
  });
  // Stopped before the database and Redis close (resources close last added first).
  base.addResource({ name: 'broadcast dispatcher', close: () => dispatcher.stop() });
  const templates = readTemplatesFile(config.WHATSAPP_TEMPLATES_FILE);
  const broadcasts = {
    store: broadcastStore,
    dispatcher,
    metrics: broadcastMetrics,
    templates,
    service: createBroadcasts({
      store: broadcastStore,
      audience,
      windows,
      dispatcher,
      templates,
      countryCode: config.NOTICE_COUNTRY_CODE,
      clock,
      logger,
    }),
  };
  return { broadcasts, audience, windows };
}
