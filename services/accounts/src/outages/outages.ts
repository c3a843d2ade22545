import {
  jobIds,
  type Language,
  openOutagesKey,
  outageComplainersKey,
  type OutboundMessageInput,
  selfEndingOutagesKey,
} from '@helpline/contracts';
import type { Logger, Producer, Redis } from '@helpline/runtime';
import type { AudienceSource } from '../broadcasts/audience.js';
import { toWaId } from '../broadcasts/audience.js';
import type { WindowClient } from '../broadcasts/window-client.js';
import { fill, type TextBook } from '../conversation/texts.js';
import type { ChatLanguages } from '../notices/chat-languages.js';
import type { OutageCause, OutageRow, OutageStore } from './outage-store.js';

export interface OutagesDeps {
  store: OutageStore;
  audience: AudienceSource;
  windows: WindowClient;
  outbound: Producer<'outbound'>;
  /** Where the open outages by router are published for the network service. */
  redis: Redis;
  /** The BullMQ prefix the network service reads the open outages under. */
  prefix: string;
  countryCode: string;
  /** Customers who wrote within this many hours are told of an outage. */
  noticeHours: number;
  texts: TextBook;
  /** The language each chat last wrote in (Spanish for one that never did). */
  languages: Pick<ChatLanguages, 'of'>;
  clock: () => Date;
  logger: Logger;
}

// Outside the window the gateway sends the `outage` / `outage_resolved` template
// (WHATSAPP_TEMPLATES_FILE), filled from `router`.
const TEXT_OF = { outage: 'outageNotice', outage_resolved: 'outageResolved' } as const;

type Recipient = { phone: string; customerId?: string };

export function newOutageId(now: Date, random: () => number = Math.random): string {
  return `o${now.getTime().toString(36)}${Math.floor(random() * 36 ** 5)
    .toString(36)
    .padStart(5, '0')}`;
}

/**
 * Outages: the record in PostgreSQL, the open ones published by router for the network
 * service, and the notices: once to each customer on the router who wrote lately, once
 * more when it ends (to them and to whoever complained meanwhile).
 */
export function createOutages(deps: OutagesDeps) {
  const { store, logger } = deps;
  const openKey = openOutagesKey(deps.prefix);

  const selfEndingKey = selfEndingOutagesKey(deps.prefix);

  function notice(outage: OutageRow, kind: 'outage' | 'outage_resolved', to: Recipient, language: Language) {
    const correlationId = `${outage.id}-${to.phone}`;
    const message: OutboundMessageInput = {
      correlationId,
      purpose: kind,
      channel: 'cloud',
      channelFromChat: true,
      to: to.phone,
      content: { kind: 'text', body: fill(deps.texts[language][TEXT_OF[kind]], { router: outage.router }) },
      meta: {
        ...(to.customerId ? { customerId: to.customerId } : {}),
        notice: { purpose: kind, id: `${kind}-${correlationId}`, values: { router: outage.router } },
      },
    };
    return deps.outbound.add(message, { jobId: jobIds.outbound(correlationId, kind) });
  }

  /** The open outage by router for the network service, and whether its probes may end it. */
  async function publish(outage: OutageRow) {
    await deps.redis.hset(openKey, outage.router.toLowerCase(), outage.id);
    if (outage.endsByItself) await deps.redis.sadd(selfEndingKey, outage.id);
  }

  /** Customers on the router who wrote within the notice hours. */
  async function recentOnRouter(router: string): Promise<{ phone: string; customerId?: string }[]> {
    const wanted = router.toLowerCase();
    const onRouter = (await deps.audience.members())
      .filter((m) => m.router?.toLowerCase() === wanted)
      .flatMap((m) => {
        const phone = m.phones.map((p) => toWaId(p, deps.countryCode)).find(Boolean);
        return phone ? [{ phone, customerId: m.customerId }] : [];
      });
    if (onRouter.length === 0) return [];
    const recent = await deps.windows.open(
      onRouter.map((r) => r.phone),
      deps.noticeHours,
    );
    return onRouter.filter((r) => recent.has(r.phone));
  }

  async function tell(outage: OutageRow, kind: 'outage' | 'outage_resolved', recipients: Recipient[]) {
    // Claimed in PostgreSQL first: a repeat (a second signal, a retry) tells nobody twice;
    // job ids from the outage and the phone make a re-run add no second message.
    const fresh = await store.claimNotices(outage.id, kind, recipients);
    const languages = await deps.languages.of(fresh.map((r) => r.phone));
    for (const to of fresh) await notice(outage, kind, to, languages.get(to.phone) ?? 'es');
    return fresh.length;
  }

  return {
    async open(input: {
      router: string;
      source: OutageRow['source'];
      cause: OutageCause;
      reason?: string;
      /** Staff's choice for a manual outage; a detected one always ends by itself. */
      endsByItself?: boolean;
    }) {
      const now = deps.clock();
      const endsByItself = input.source === 'detected' || input.endsByItself === true;
      const { outage, created } = await store.open({ id: newOutageId(now), now, ...input, endsByItself });
      await publish(outage);
      if (created) logger.warn({ outageId: outage.id, router: outage.router, cause: outage.cause }, 'outage opened');
      // Told even when it was open already: a customer who wrote since is told now, once.
      const told = await tell(outage, 'outage', await recentOnRouter(outage.router));
      return { outage: (await store.get(outage.id)) as OutageRow, created, told };
    },

    async resolve(id: string, by: string) {
      const { outage, changed } = await store.resolve(id, by, deps.clock());
      if (!outage) return undefined;
      // Only this outage's entry: a newer one on the router stays published.
      const current = await deps.redis.hget(openKey, outage.router.toLowerCase());
      if (current === outage.id) await deps.redis.hdel(openKey, outage.router.toLowerCase());
      await deps.redis.srem(selfEndingKey, outage.id);
      const complainers = (await deps.redis.smembers(outageComplainersKey(deps.prefix, id))).map((phone) => ({
        phone,
      }));
      const told = await tell(outage, 'outage_resolved', [...(await store.notified(id)), ...complainers]);
      if (changed) logger.info({ outageId: id, router: outage.router, by, told }, 'outage resolved');
      return { outage: (await store.get(id)) as OutageRow, changed, told };
    },

    /** Publishes the open outages again (at start: Redis may have been emptied). */
    async republish() {
      const open = await store.openOnes();
      await deps.redis.del(openKey, selfEndingKey);
      for (const o of open) await publish(o);
      return open.length;
    },
    get: (id: string) => store.get(id),
    list: (state: 'open' | 'resolved' | undefined, limit: number, offset: number) => store.list(state, limit, offset),
  };
}
export type Outages = ReturnType<typeof createOutages>;
