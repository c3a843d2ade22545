import type { DiagnosticCheck, DiagnosticReport, DiagnosticStatus } from '@helpline/contracts';
import type { Logger } from 'pino';
import type { CustomerRecord } from '@helpline/directory';
import { isRouterError, UnsafeValueError } from '../routeros/errors.js';
import type { RouterClient } from '../routeros/router-client.js';
import type { RouterRow } from '../routeros/router-connection.js';
import { checkCustomerAddress, type Cidr, MAX_PING_COUNT } from '../routeros/safe-commands.js';
import { parseDurationMs, parseDurationSeconds, parseRatePair, parseRouterBoolean } from '../routeros/values.js';
import { summarise } from './summary.js';

export interface CheckSettings {
  pingCount: number;
  pingIntervalMs: number;
  prefixes: readonly Cidr[];
  /** Share of the plan's download limit above which the line counts as saturated. */
  queueSaturation: number;
  /** Average round trip above which the link counts as slow, in ms. */
  slowRttMs: number;
}

export interface CheckInput {
  correlationId: string;
  customer: CustomerRecord;
  router: RouterClient | undefined;
  /** Why there is no router for this customer (said in the finding), when `router` is undefined. */
  routerProblem?: { finding: string; errorKind: string };
  settings: CheckSettings;
  logger: Logger;
  now: () => Date;
}

type Finding = Omit<DiagnosticCheck, 'name'>;

/** Error findings never carry the router's error text (it can hold addresses); the kind is enough. */
function routerFailure(error: unknown): Finding {
  if (error instanceof UnsafeValueError) {
    return { result: 'error', finding: `the customer's record cannot be checked safely (${error.field})` };
  }
  const kind = isRouterError(error) ? error.kind : 'error';
  return { result: 'error', finding: `could not ask the router (${kind})`, data: { errorKind: kind } };
}

function worst(checks: readonly DiagnosticCheck[]): DiagnosticStatus {
  if (checks.some((c) => c.result === 'fail')) return 'down';
  if (checks.some((c) => c.result === 'error')) return 'unknown';
  if (checks.some((c) => c.result === 'warn')) return 'degraded';
  return 'ok';
}

/**
 * The diagnosis, in order, stopping where the answer is clear: account, general outage,
 * PPPoE session, ping, queue. A check that is not run is recorded as `skipped`.
 */
export async function runChecks(input: CheckInput): Promise<DiagnosticReport> {
  const startedAt = input.now().toISOString();
  const { customer, router, settings } = input;
  const checks: DiagnosticCheck[] = [{ name: 'customer', result: 'pass', finding: 'customer account found' }];
  const order = ['account', 'outage', 'pppoe_session', 'ping', 'queue'] as const;
  let stopped = false;
  const add = (name: (typeof order)[number], finding: Finding) => {
    checks.push({ name, ...finding });
    if (finding.result === 'fail' || finding.result === 'error') stopped = true;
  };

  // 1. Account state: only a directory that keeps it (WispHub) can say.
  if (customer.account === undefined || customer.account === 'unknown') {
    checks.push({
      name: 'account',
      result: 'skipped',
      finding: 'account state not available from the customer directory',
    });
  } else if (customer.account === 'active') {
    add('account', { result: 'pass', finding: 'account active' });
  } else {
    add('account', { result: 'fail', finding: `account ${customer.account}`, data: { state: customer.account } });
  }

  // 2. General outage on the customer's router.
  if (!stopped) {
    if (customer.routerOutage)
      add('outage', { result: 'fail', finding: 'general outage recorded on the customer router' });
    else if (customer.routerOutage === false) add('outage', { result: 'pass', finding: 'no general outage recorded' });
    else
      checks.push({
        name: 'outage',
        result: 'skipped',
        finding: 'outage flag not available from the customer directory',
      });
  }

  if (!stopped && !router) {
    const problem = input.routerProblem ?? {
      finding: 'router not configured for this customer',
      errorKind: 'not_configured',
    };
    add('pppoe_session', { result: 'error', finding: problem.finding, data: { errorKind: problem.errorKind } });
  }

  // 3. PPPoE session: present (uptime) or absent (last disconnect reason).
  let sessionAddress: string | undefined;
  if (!stopped && router) {
    if (customer.pppoeUser === undefined) {
      checks.push({ name: 'pppoe_session', result: 'skipped', finding: 'customer has no PPPoE user on record' });
    } else {
      try {
        const [session] = await router.run({ kind: 'ppp-active', user: customer.pppoeUser });
        if (session) {
          sessionAddress = session.address;
          const uptime = session.uptime === undefined ? undefined : parseDurationSeconds(session.uptime);
          add('pppoe_session', {
            result: 'pass',
            finding: 'PPPoE session active',
            data: { uptimeSeconds: uptime === undefined ? null : Math.round(uptime) },
          });
        } else {
          // No session is the answer; the secret only explains it. A failed look-up does not
          // change the answer, but the report says it could not be explained, and why.
          let secret: RouterRow | undefined;
          let lookupError: string | undefined;
          try {
            [secret] = await router.run({ kind: 'ppp-secret', user: customer.pppoeUser });
          } catch (error) {
            lookupError =
              error instanceof UnsafeValueError ? 'unsafe_value' : isRouterError(error) ? error.kind : 'error';
            input.logger.warn(
              { customerId: customer.customerId, router: router.name, errorKind: lookupError },
              'PPPoE secret look-up failed',
            );
          }
          const reason = secret?.['last-disconnect-reason'];
          const disabled = secret?.disabled === undefined ? undefined : parseRouterBoolean(secret.disabled);
          const finding = disabled
            ? 'no PPPoE session: the PPPoE account is disabled'
            : lookupError
              ? `no PPPoE session; the account's last disconnect could not be read (${lookupError})`
              : `no PPPoE session${reason ? `; last disconnect: ${reason.slice(0, 80)}` : ''}`;
          add('pppoe_session', {
            result: 'fail',
            finding,
            data: {
              lastDisconnectReason: reason ? reason.slice(0, 80) : null,
              lastLoggedOut: secret?.['last-logged-out'] ?? null,
              disabled: disabled ?? null,
              ...(lookupError ? { secretLookupError: lookupError } : {}),
            },
          });
        }
      } catch (error) {
        add('pppoe_session', routerFailure(error));
      }
    }
  }

  // 4. Ping the customer's address from the router.
  if (!stopped && router) {
    const address = customer.serviceIp ?? sessionAddress;
    if (address === undefined) {
      checks.push({ name: 'ping', result: 'skipped', finding: 'no service address on record' });
    } else {
      try {
        checkCustomerAddress(address, settings.prefixes);
        const count = Math.min(MAX_PING_COUNT, Math.max(1, settings.pingCount));
        const replies = await router.run({ kind: 'ping', address, count, intervalMs: settings.pingIntervalMs });
        const last = replies.at(-1);
        const sent = Number(last?.sent ?? replies.length) || count;
        const received = Number(last?.received ?? replies.filter((r) => r.time !== undefined).length) || 0;
        const loss = Math.round(((sent - received) / sent) * 100);
        const times = replies
          .map((r) => (r.time === undefined ? undefined : parseDurationMs(r.time)))
          .filter((t): t is number => t !== undefined);
        const avg = times.length ? times.reduce((a, b) => a + b, 0) / times.length : null;
        const max = times.length ? Math.max(...times) : null;
        const data = {
          sent,
          received,
          lossPercent: loss,
          avgMs: avg === null ? null : Math.round(avg * 10) / 10,
          maxMs: max === null ? null : Math.round(max * 10) / 10,
        };
        if (received === 0)
          add('ping', {
            result: 'fail',
            finding: `customer equipment does not answer (${sent} sent, none answered)`,
            data,
          });
        else if (loss > 0 || (avg !== null && avg > settings.slowRttMs)) {
          add('ping', {
            result: 'warn',
            finding: `customer equipment answers with ${loss}% loss, average ${data.avgMs} ms`,
            data,
          });
        } else add('ping', { result: 'pass', finding: `customer equipment answers, average ${data.avgMs} ms`, data });
      } catch (error) {
        add('ping', routerFailure(error));
      }
    }
  }

  // 5. Queue use against the plan's limit.
  if (!stopped && router) {
    try {
      const rows = customer.pppoeUser
        ? await router.run({ kind: 'queues', name: `<pppoe-${customer.pppoeUser}>` })
        : customer.serviceIp
          ? await router.run({ kind: 'queues', target: customer.serviceIp })
          : undefined;
      const queue = rows?.[0];
      const limit = queue?.['max-limit'] ? parseRatePair(queue['max-limit']) : undefined;
      const rate = queue?.rate ? parseRatePair(queue.rate) : undefined;
      if (!queue || !limit || !rate || limit.download === 0) {
        checks.push({ name: 'queue', result: 'skipped', finding: 'no queue with a limit found for this customer' });
      } else {
        const use = rate.download / limit.download;
        const data = {
          downloadBps: rate.download,
          downloadLimitBps: limit.download,
          usePercent: Math.round(use * 100),
        };
        if (use >= settings.queueSaturation)
          add('queue', { result: 'warn', finding: `plan speed nearly used up (${data.usePercent}%)`, data });
        else add('queue', { result: 'pass', finding: `plan speed in use: ${data.usePercent}%`, data });
      }
    } catch (error) {
      add('queue', routerFailure(error));
    }
  }

  for (const name of order) {
    if (!checks.some((c) => c.name === name))
      checks.push({ name, result: 'skipped', finding: 'not needed: an earlier check gave the answer' });
  }
  const status = worst(checks);
  const report: DiagnosticReport = {
    correlationId: input.correlationId,
    customerId: customer.customerId,
    status,
    checks,
    summary: summarise(status, checks),
    startedAt,
    finishedAt: input.now().toISOString(),
  };
  if (router) report.router = router.name;
  return report;
}

/** The report when nobody matched the reference. */
export function notFoundReport(correlationId: string, now: () => Date): DiagnosticReport {
  const at = now().toISOString();
  const checks: DiagnosticCheck[] = [
    { name: 'customer', result: 'fail', finding: 'no customer matches the reference given' },
  ];
  return {
    correlationId,
    status: 'unknown',
    checks,
    summary: summarise('unknown', checks),
    startedAt: at,
    finishedAt: at,
  };
}

/** The report when no router is configured at all. */
export function notConfiguredReport(
  correlationId: string,
  customerId: string | undefined,
  now: () => Date,
): DiagnosticReport {
  const at = now().toISOString();
  const checks: DiagnosticCheck[] = [{ name: 'pppoe_session', result: 'error', finding: 'router not configured' }];
  const report: DiagnosticReport = {
    correlationId,
    status: 'unknown',
    checks,
    summary: {
      es: 'No podemos revisar tu conexión automáticamente todavía (router no configurado). Un técnico lo revisará.',
      en: 'We cannot check your connection automatically yet (router not configured). A technician will look into it.',
    },
    startedAt: at,
    finishedAt: at,
  };
  if (customerId) report.customerId = customerId;
  return report;
}
