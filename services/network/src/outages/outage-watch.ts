import { openOutagesKey, outageComplainersKey, type DiagnosticReport } from '@helpline/contracts';
import type { Logger, Redis } from '@helpline/runtime';
import { CodedError, ERRORS } from '@helpline/runtime';

/** Router errors that mean the router itself cannot be reached: it is down, for its customers too. */
const ROUTER_DOWN_KINDS = new Set(['connect_timeout', 'connect_failed', 'socket_error', 'breaker_open', 'closed']);

export type OutageCause = 'router_down' | 'failing_diagnoses';

export interface OutageWatchDeps {
  redis: Redis;
  /** The BullMQ prefix the accounts service publishes open outages under. */
  prefix: string;
  /** This service's own keys (`helpline:network`). */
  keyPrefix: string;
  /** Failing diagnoses on one router within `windowMinutes` that make a general outage. */
  threshold: number;
  windowMinutes: number;
  /** Tells the accounts service (POST /api/outages); absent when ACCOUNTS_URL is unset. */
  signal?: (router: string, cause: OutageCause, reason: string) => Promise<void>;
  clock: () => Date;
  logger: Logger;
}

/** Why a report says the router is down, or that the line failed; undefined when neither. */
export function failureOf(report: DiagnosticReport): OutageCause | 'line' | undefined {
  const routerDown = report.checks.some((c) => {
    const kind = (c.data as { errorKind?: unknown } | undefined)?.errorKind;
    return c.result === 'error' && typeof kind === 'string' && ROUTER_DOWN_KINDS.has(kind);
  });
  if (routerDown) return 'router_down';
  // A cut for non-payment (the account check) is the customer's own, never an outage.
  const accountCut = report.checks.some((c) => c.name === 'account' && c.result === 'fail');
  if (report.status === 'down' && !accountCut) return 'line';
  return undefined;
}

/**
 * Finds general outages from diagnoses: a router that cannot be reached, or `threshold`
 * failing diagnoses of different customers on one router within `windowMinutes` (a sliding
 * window in Redis, shared by every replica). It signals the accounts service, which keeps
 * the outage record and tells the customers; and it answers whether a router has an open
 * outage (the accounts service publishes them), so that later complaints join it.
 */
export function createOutageWatch(deps: OutageWatchDeps) {
  const windowKey = (router: string) => `${deps.keyPrefix}:outage-watch:${router.toLowerCase()}`;

  async function signal(router: string, cause: OutageCause, reason: string): Promise<void> {
    if (!deps.signal) return;
    try {
      await deps.signal(router, cause, reason);
      deps.logger.warn({ router, cause }, 'general outage signalled to the accounts service');
    } catch (error) {
      // The next failing diagnosis on the router signals again: nothing is lost for long.
      deps.logger.warn({ err: error, router, cause }, 'could not signal the outage; the next failure signals again');
    }
  }

  return {
    /** The open outage on this router, if any. */
    async openOutage(router: string): Promise<string | undefined> {
      return (await deps.redis.hget(openOutagesKey(deps.prefix), router.toLowerCase())) ?? undefined;
    },

    /** Remembers a complainer, told when the outage ends. */
    async addComplainer(outageId: string, phone: string): Promise<void> {
      const key = outageComplainersKey(deps.prefix, outageId);
      await deps.redis
        .multi()
        .sadd(key, phone)
        .expire(key, 30 * 24 * 3600)
        .exec();
    },

    /** Looks at one finished diagnosis of a customer on `router`. */
    async observe(router: string, customerId: string, report: DiagnosticReport): Promise<void> {
      const failure = failureOf(report);
      if (!failure) return;
      if (failure === 'router_down') {
        await signal(router, 'router_down', `router ${router} cannot be reached from Helpline`);
        return;
      }
      const now = deps.clock().getTime();
      const key = windowKey(router);
      const windowMs = deps.windowMinutes * 60_000;
      // One entry per customer: one customer complaining five times is not an outage.
      const results = await deps.redis
        .multi()
        .zadd(key, now, customerId)
        .zremrangebyscore(key, '-inf', now - windowMs)
        .zcard(key)
        .pexpire(key, windowMs)
        .exec();
      const failing = Number(results?.[2]?.[1] ?? 0);
      if (failing >= deps.threshold) {
        await signal(
          router,
          'failing_diagnoses',
          `${failing} customers on router ${router} diagnosed failing within ${deps.windowMinutes} minutes`,
        );
      }
    },
  };
}
export type OutageWatch = ReturnType<typeof createOutageWatch>;

/** The accounts service's POST /api/outages, with the operator token. */
export function accountsOutageSignal(options: { accountsUrl: string; token?: string; fetch?: typeof fetch }) {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.accountsUrl.replace(/\/+$/, '')}/api/outages`;
  return async (router: string, cause: OutageCause, reason: string): Promise<void> => {
    const res = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ router, source: 'detected', cause, reason }),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status !== 200 && res.status !== 201) {
      throw new CodedError(ERRORS.accounts_unavailable, `the accounts service answered ${res.status}`);
    }
  };
}
