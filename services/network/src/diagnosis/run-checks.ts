import type { DiagnosticCheck, DiagnosticReport, DiagnosticStatus } from '@helpline/contracts';
import { accountCheck } from './checks/account.js';
import type { Check, CheckContext } from './checks/check.js';
import { outageCheck } from './checks/outage.js';
import { pingCheck } from './checks/ping.js';
import { pppoeSessionCheck } from './checks/pppoe-session.js';
import { queueCheck } from './checks/queue.js';
import { summarise } from './summary.js';

export type { CheckSettings } from './checks/check.js';

export interface CheckInput extends Omit<CheckContext, 'sessionAddress'> {
  correlationId: string;
  clock: () => Date;
}

/** The diagnosis, in order; the first check that fails or errs gives the answer. */
export const CHECKS: readonly Check[] = [accountCheck, outageCheck, pppoeSessionCheck, pingCheck, queueCheck];

function worst(checks: readonly DiagnosticCheck[]): DiagnosticStatus {
  if (checks.some((c) => c.result === 'fail')) return 'down';
  if (checks.some((c) => c.result === 'error')) return 'unknown';
  if (checks.some((c) => c.result === 'warn')) return 'degraded';
  return 'ok';
}

/**
 * Runs the checks in order, stopping where the answer is clear (a `fail` or an `error`);
 * the checks after it are recorded as `skipped`, not needed.
 */
export async function runChecks(input: CheckInput): Promise<DiagnosticReport> {
  const startedAt = input.clock().toISOString();
  const context: CheckContext = { ...input };
  const checks: DiagnosticCheck[] = [{ name: 'customer', result: 'pass', finding: 'customer account found' }];
  let answered = false;
  for (const check of CHECKS) {
    if (answered) {
      checks.push({ name: check.name, result: 'skipped', finding: 'not needed: an earlier check gave the answer' });
      continue;
    }
    const finding = await check.run(context);
    checks.push({ name: check.name, ...finding });
    answered = finding.result === 'fail' || finding.result === 'error';
  }
  const status = worst(checks);
  const report: DiagnosticReport = {
    correlationId: input.correlationId,
    customerId: input.customer.customerId,
    status,
    checks,
    summary: summarise(status, checks),
    startedAt,
    finishedAt: input.clock().toISOString(),
  };
  if (input.router) report.router = input.router.name;
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
