import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Gauge } from 'prom-client';

/** What became of a notice in the accounts service (the gateway counts sent and skipped at send time). */
export const NOTICE_OUTCOMES = ['queued', 'already_queued', 'skipped_paid', 'skipped_no_phone', 'failed'] as const;
export type NoticeOutcome = (typeof NOTICE_OUTCOMES)[number];

export interface NoticeMetrics {
  notice(purpose: string, outcome: NoticeOutcome): void;
}

/**
 * `helpline_notices_total{purpose,outcome}` and the scheduled run's health:
 * `helpline_notices_enabled` and `helpline_notices_last_run_timestamp_seconds`, read from
 * PostgreSQL at scrape time so every replica reports the same last run (before the first
 * one, the time this process started: a run missed after a start still alerts).
 */
export function createNoticeMetrics(
  metrics: ServiceMetrics,
  options: { enabled: boolean; lastRunAt: () => Promise<Date | undefined>; startedAt: Date },
): NoticeMetrics {
  const registers = [metrics.registry];
  const notices = new Counter({
    name: `${METRIC_PREFIX}notices_total`,
    help: 'Notices by purpose and outcome (accounts: queued, already_queued, skipped_paid, skipped_no_phone, failed)',
    labelNames: ['purpose', 'outcome'] as const,
    registers,
  });
  new Gauge({
    name: `${METRIC_PREFIX}notices_enabled`,
    help: 'Whether the daily notice run is scheduled in this service (NOTICES_ENABLED)',
    registers,
    collect() {
      this.set(options.enabled ? 1 : 0);
    },
  });
  let last = options.startedAt.getTime() / 1000;
  new Gauge({
    name: `${METRIC_PREFIX}notices_last_run_timestamp_seconds`,
    help: 'When the last notice run (scheduled or asked for) completed, Unix seconds; before any, this process start',
    registers,
    async collect() {
      try {
        const at = await options.lastRunAt();
        if (at) last = at.getTime() / 1000;
      } catch {
        // The database is away: the last value stays, and /health says why.
      }
      this.set(last);
    },
  });
  return {
    notice(purpose, outcome) {
      notices.inc({ purpose, outcome });
    },
  };
}
