import { setTimeout as sleep } from 'node:timers/promises';
import type { DiagnosticReport } from '@helpline/contracts';
import { CodedError, ERRORS } from '@helpline/runtime';
import type { LastReportStore } from './last-report-store.js';

/** Another diagnosis of this customer is still running after the wait: retry later (`diagnosis_busy`: a job is retried; HTTP answers 503). */
export class DiagnosisBusyError extends CodedError {
  constructor(waitedMs: number) {
    super(
      ERRORS.diagnosis_busy,
      `another diagnosis of this customer is still running after ${waitedMs} ms; try again shortly`,
    );
    this.name = 'DiagnosisBusyError';
  }
}

export interface OnceOptions {
  /** Ask the router again even within the cooldown (a diagnosis running now still counts as fresh). */
  force?: boolean;
  /** How long a second request waits for the running diagnosis' report. */
  waitMs: number;
  /** How often it looks. */
  pollMs: number;
}

export interface OnceResult {
  report: DiagnosticReport;
  /** The report was made by another request (earlier in the cooldown, or running at the same time). */
  fromCache: boolean;
}

const identity = (r: DiagnosticReport) => `${r.correlationId}|${r.finishedAt}`;

/**
 * One diagnosis per customer at a time and per cooldown. The first request takes the
 * customer's claim in Redis and runs `diagnose`; a request arriving meanwhile (another job,
 * POST /diagnose, another process) waits, bounded, for that report and answers with it; a
 * request within the cooldown answers with the last report at once. A failed diagnosis
 * releases the claim, so the next request runs its own.
 */
export async function oncePerCustomer(
  store: LastReportStore,
  customerId: string,
  diagnose: () => Promise<DiagnosticReport>,
  options: OnceOptions,
): Promise<OnceResult> {
  if (!store.enabled) return { report: await diagnose(), fromCache: false };
  const until = Date.now() + options.waitMs;
  // With `force`, the report already stored is stale by request; only a newer one will do.
  const stale = options.force ? await store.get(customerId) : undefined;
  const usable = (report: DiagnosticReport | undefined): report is DiagnosticReport =>
    report !== undefined && (stale === undefined || identity(report) !== identity(stale));
  for (;;) {
    const last = await store.get(customerId);
    if (usable(last)) return { report: last, fromCache: true };
    const claim = await store.claim(customerId);
    if (claim) {
      let released = false;
      try {
        // A report may have been stored between the look above and the claim.
        const again = await store.get(customerId);
        if (usable(again)) {
          await store.release(claim);
          released = true;
          return { report: again, fromCache: true };
        }
        const report = await diagnose();
        await store.putAndRelease(claim, report);
        released = true;
        return { report, fromCache: false };
      } catch (error) {
        if (!released) await store.release(claim).catch(() => claim.stop());
        throw error;
      }
    }
    if (Date.now() >= until) throw new DiagnosisBusyError(options.waitMs);
    await sleep(options.pollMs);
  }
}
