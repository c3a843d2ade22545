import { randomUUID } from 'node:crypto';
import { openOutagesKey, selfEndingOutagesKey } from '@helpline/contracts';
import type { Counter } from 'prom-client';
import type { RouterClient } from '../routeros/router-client.js';
import { type OutageCheckDeps, outageLooksOver } from './outage-check.js';

export interface OutageProbeDeps extends OutageCheckDeps {
  /** The BullMQ prefix the accounts service publishes open outages under. */
  prefix: string;
  /** This service's own keys (`helpline:network`). */
  keyPrefix: string;
  intervalMs: number;
  /** Consecutive good probes that end an outage. */
  goodProbes: number;
  /** Ends the outage at the accounts service (POST /api/outages/:id/resolve); true when this call ended it. */
  resolve: (outageId: string) => Promise<boolean>;
  /** Outages this service ended. */
  resolved: Counter<string>;
}

export interface ProbeResult {
  outageId: string;
  router: string;
  good: boolean;
  /** Good probes in a row, this one included (0 after a bad one). */
  inRow: number;
  resolved: boolean;
}

/**
 * Ends outages by themselves: every interval, the routers of the open outages that may end
 * so (published by the accounts service: the detected ones, and manual ones staff let) are
 * probed. A probe is good when the router answers and the diagnoses of a few of the
 * outage's complainers no longer fail; `goodProbes` good ones in a row resolve it through
 * the accounts service, which tells the customers once. One bad probe starts the count
 * again, so a router that flaps stays in its outage.
 *
 * Replicas: each interval only the replica that takes the turn (a key with a TTL a little
 * under the interval) probes, and the counts live in Redis, so a replica that dies hands
 * over without losing them. Two resolves of one outage are harmless anyway: the accounts
 * service ends it once and claims each notice once.
 */
export function createOutageProbe(deps: OutageProbeDeps) {
  const turnKey = `${deps.keyPrefix}:outage-probe:turn`;
  const countsKey = `${deps.keyPrefix}:outage-probe:good`;
  const token = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  async function probe(router: RouterClient, outageId: string): Promise<ProbeResult> {
    const good = await outageLooksOver(deps, router, outageId);
    if (!good) {
      await deps.redis.hdel(countsKey, outageId);
      return { outageId, router: router.name, good, inRow: 0, resolved: false };
    }
    const inRow = await deps.redis.hincrby(countsKey, outageId, 1);
    if (inRow < deps.goodProbes) return { outageId, router: router.name, good, inRow, resolved: false };
    let ended: boolean;
    try {
      ended = await deps.resolve(outageId);
    } catch (error) {
      // The count stays: the next good probe tries again.
      deps.logger.warn({ err: error, outageId, router: router.name }, 'could not resolve the outage; trying again');
      return { outageId, router: router.name, good, inRow, resolved: false };
    }
    await deps.redis.hdel(countsKey, outageId);
    // Counted by the one call that ended it: a replica's late second resolve changes nothing.
    if (ended) {
      deps.resolved.inc();
      deps.logger.info(
        { outageId, router: router.name, goodProbes: inRow },
        'outage ended by itself: router answers again',
      );
    }
    return { outageId, router: router.name, good, inRow, resolved: ended };
  }

  /** One round, if this replica has the turn; undefined when another one has it. */
  async function tick(): Promise<ProbeResult[] | undefined> {
    const ttl = Math.max(1, Math.floor(deps.intervalMs * 0.8));
    if ((await deps.redis.set(turnKey, token, 'PX', ttl, 'NX')) !== 'OK') return undefined;
    const open = await deps.redis.hgetall(openOutagesKey(deps.prefix));
    const selfEnding = new Set(await deps.redis.smembers(selfEndingOutagesKey(deps.prefix)));
    const results: ProbeResult[] = [];
    for (const [routerName, outageId] of Object.entries(open)) {
      if (!selfEnding.has(outageId)) continue;
      const router = deps.routers.all().find((r) => r.name.toLowerCase() === routerName);
      if (!router) continue;
      results.push(await probe(router, outageId));
    }
    // Counts of outages that ended meanwhile (staff, another replica) go with them.
    const stale = (await deps.redis.hkeys(countsKey)).filter((id) => !Object.values(open).includes(id));
    if (stale.length > 0) await deps.redis.hdel(countsKey, ...stale);
    return results;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'outage probe round failed'))
        .finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }

  return {
    tick,
    start(): void {
      stopped = false;
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
export type OutageProbe = ReturnType<typeof createOutageProbe>;
