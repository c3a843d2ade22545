import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';

export const REQUEST_OUTCOMES = [
  'answered',
  'identity_asked',
  'account_asked',
  'identity_failed',
  'unavailable',
] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** The accounts service's own series; no label ever carries a phone, a customer id or an amount. */
export function createAccountsMetrics(
  metrics: ServiceMetrics,
  receiptStats?: () => Promise<{ pending: number; overdue: number; oldestSeconds: number }>,
) {
  const registers = [metrics.registry];
  const requests = new Counter({
    name: `${METRIC_PREFIX}account_requests_total`,
    help: 'Account requests handled, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const backOffice = new Histogram({
    name: `${METRIC_PREFIX}backoffice_request_duration_seconds`,
    help: 'Calls to the billing back-office (WispHub or the built-in store), by provider, operation and outcome',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers,
  });
  const receipts = new Counter({
    name: `${METRIC_PREFIX}receipts_total`,
    help: 'Payment receipts: received, duplicate, refused (size or type), confirmed, rejected',
    labelNames: ['outcome'] as const,
    registers,
  });
  // Read from PostgreSQL when Prometheus scrapes, so every replica reports the same truth.
  let last = { pending: 0, overdue: 0, oldestSeconds: 0 };
  const refresh = async () => {
    if (!receiptStats) return;
    try {
      last = await receiptStats();
    } catch {
      // The database is away: the last values stay, and /health says why.
    }
  };
  new Gauge({
    name: `${METRIC_PREFIX}receipts_pending`,
    help: 'Payment receipts waiting for staff to confirm or reject',
    registers,
    async collect() {
      await refresh();
      this.set(last.pending);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}receipts_overdue`,
    help: 'Payment receipts pending longer than RECEIPT_REVIEW_HOURS',
    registers,
    collect() {
      this.set(last.overdue);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}receipts_oldest_pending_seconds`,
    help: 'Age of the oldest pending payment receipt',
    registers,
    collect() {
      this.set(last.oldestSeconds);
    },
  });
  for (const outcome of ['received', 'duplicate', 'refused', 'confirmed', 'rejected']) receipts.inc({ outcome }, 0);
  return {
    request: (kind: string, outcome: RequestOutcome) => requests.inc({ kind, outcome }),
    backOffice,
    receipt: (outcome: 'received' | 'duplicate' | 'refused' | 'confirmed' | 'rejected') => receipts.inc({ outcome }),
  };
}
export type AccountsMetrics = ReturnType<typeof createAccountsMetrics>;
