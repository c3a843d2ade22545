/**
 * `ok`: working. `degraded`: working on a fallback (an LLM provider misconfigured, a breaker
 * open, Cloud API not configured): /health still answers 200, and says what. `down`: cannot
 * do its job (Redis unreachable, workers stopped): /health answers 503.
 */
export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface CheckResult {
  status: HealthStatus;
  /** One sentence an operator can act on. */
  message?: string;
  details?: Record<string, unknown>;
}

export type HealthCheck = () => Promise<CheckResult> | CheckResult;

export interface HealthReport {
  status: HealthStatus;
  service: string;
  uptimeSeconds: number;
  checks: Record<string, CheckResult>;
}

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/** Runs every check (a check that throws or exceeds the deadline is `down`) and combines them. */
export async function runHealthChecks(
  service: string,
  checks: Record<string, HealthCheck>,
  timeoutMs = 2_000,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          Promise.resolve().then(check),
          new Promise<CheckResult>((resolve) => {
            timer = setTimeout(
              () => resolve({ status: 'down', message: `no answer within ${timeoutMs} ms` }),
              timeoutMs,
            );
          }),
        ]);
        return [name, result];
      } catch (error) {
        return [name, { status: 'down', message: error instanceof Error ? error.message : String(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const status = entries.reduce<HealthStatus>(
    (worst, [, r]) => (RANK[r.status] > RANK[worst] ? r.status : worst),
    'ok',
  );
  return { status, service, uptimeSeconds: Math.round(process.uptime()), checks: Object.fromEntries(entries) };
}
