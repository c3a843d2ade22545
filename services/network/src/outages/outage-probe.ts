import { randomUUID } from 'node:crypto';
import { openOutagesKey, outageComplainersKey, selfEndingOutagesKey } from '@helpline/contracts';
import type { CustomerDirectory } from '@helpline/directory';
import { CodedError, ERRORS, type Logger, type Redis } from '@helpline/runtime';
import type { Counter } from 'prom-client';
import { type RouterRegistry, UnknownRouterError } from '../diagnosis/router-registry.js';
import { type CheckSettings, runChecks } from '../diagnosis/run-checks.js';
import { RouterTrapError } from '../routeros/errors.js';
import type { RouterClient } from '../routeros/router-client.js';
import { failureOf } from './outage-watch.js';

/** Complainers diagnosed by one probe: enough to see lines still down, few enough to stay light. */
const SAMPLE = 3;

export interface OutageProbeDeps {
  redis: Redis;
  /** The BullMQ prefix the accounts service publishes open outages under. */
  prefix: string;
  /** This service's own keys (`helpline:network`). */
  keyPrefix: string;
  routers: RouterRegistry;
  directory: CustomerDirectory;
  settings: CheckSettings;
  intervalMs: number;
  /** Consecutive good probes that end an outage. */
  goodProbes: number;
  /** Ends the outage at the accounts service (POST /api/outages/:id/resolve); true when this call ended it. */
  resolve: (outageId: string) => Promise<boolean>;
  /** Outages this service ended. */
  resolved: Counter<string>;
  clock: () => Date;
  logger: Logger;
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

  async function routerAnswers(router: RouterClient): Promise<boolean> {
    try {
      await router.run({ kind: 'interfaces' });
      return true;
    } catch (error) {
      // A trap is the router answering.
      return error instanceof RouterTrapError;
    }
  }

  /** Diagnoses a few complainers on the router; false when one of them still fails. */
  async function linesPass(router: RouterClient, outageId: string): Promise<boolean> {
    const phones = await deps.redis.srandmember(outageComplainersKey(deps.prefix, outageId), SAMPLE);
    for (const phone of phones) {
      const [customer, ...others] = await deps.directory.find({ phone });
      if (!customer || others.length > 0) continue;
      try {
        if (deps.routers.forCustomer(customer) !== router) continue;
      } catch (error) {
        if (error instanceof UnknownRouterError) continue;
        throw error;
      }
      const report = await runChecks({
        correlationId: `probe-${outageId}`,
        customer,
        router,
        settings: deps.settings,
        logger: deps.logger,
        clock: deps.clock,
      });
      if (failureOf(report) !== undefined) return false;
    }
    return true;
  }

  async function probe(router: RouterClient, outageId: string): Promise<ProbeResult> {
    const good = (await routerAnswers(router)) && (await linesPass(router, outageId));
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

/** The accounts service's POST /api/outages/:id/resolve, with the operator token. */
export function accountsOutageResolve(options: { accountsUrl: string; token?: string; fetch?: typeof fetch }) {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.accountsUrl.replace(/\/+$/, '')}/api/outages`;
  return async (outageId: string): Promise<boolean> => {
    const res = await doFetch(`${base}/${encodeURIComponent(outageId)}/resolve`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ by: 'network-probe' }),
      signal: AbortSignal.timeout(10_000),
    });
    // 404: gone from the record; nothing left to end.
    if (res.status === 404) {
      await res.arrayBuffer().catch(() => undefined);
      return false;
    }
    if (res.status !== 200) {
      await res.arrayBuffer().catch(() => undefined);
      throw new CodedError(ERRORS.accounts_unavailable, `the accounts service answered ${res.status}`);
    }
    const body = (await res.json().catch(() => ({}))) as { changed?: unknown };
    return body.changed === true;
  };
}
