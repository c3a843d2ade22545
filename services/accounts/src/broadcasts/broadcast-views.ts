import { z } from 'zod';
import { RECIPIENT_STATES, type BroadcastReport, type BroadcastRow } from './broadcast-store.js';
import type { BroadcastPlan } from './broadcasts.js';

// Broadcasts as the routes show them: a plan (created or dry run), a summary, a report.

export const Id = z.object({
  id: z.string().regex(/^b[0-9a-z]{1,40}$/, 'expected a broadcast id such as b19c2f3a4k7x2q1'),
});

export const PlanView = z.object({
  id: z.string().optional(),
  dry_run: z.boolean(),
  state: z.string(),
  kind: z.enum(['template', 'text']),
  recipients: z.number().describe('numbers it goes to, one per customer, never two to one number'),
  unusable: z.number().describe('numbers in the audience that cannot be WhatsApp numbers'),
  reachable_now: z
    .number()
    .optional()
    .describe('free text only: recipients inside their 24-hour window now; the others are skipped'),
  start_at: z.string(),
  sample: z
    .array(z.object({ phone: z.string(), customerId: z.string().optional(), name: z.string().optional() }))
    .optional(),
});

export const SummaryView = z.object({
  id: z.string(),
  state: z.string(),
  kind: z.string(),
  source: z.string(),
  total: z.number(),
  created_at: z.string(),
  start_at: z.string(),
  cancelled_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const ReportView = SummaryView.extend({
  content: z.unknown(),
  audience: z.unknown(),
  /** Each recipient counted once, in the state it is in now. */
  counts: z.object(
    Object.fromEntries(RECIPIENT_STATES.map((s) => [s, z.number()])) as Record<
      (typeof RECIPIENT_STATES)[number],
      z.ZodNumber
    >,
  ),
  /** How far messages got: sent includes those delivered and read since, delivered includes read. */
  reached: z.object({ sent: z.number(), delivered: z.number(), read: z.number() }),
  failed: z.number(),
  /** Each failure reason (Meta's error code, or Helpline's own) and how many recipients it hit. */
  failures: z.array(z.object({ code: z.string(), title: z.string().nullable(), count: z.number() })),
  skipped: z.object({ opted_out: z.number(), no_consent: z.number(), window_closed: z.number() }),
});

export const summary = (b: BroadcastRow) => ({
  id: b.id,
  state: b.state,
  kind: b.kind,
  source: b.source,
  total: b.total,
  created_at: b.createdAt,
  start_at: b.startAt,
  cancelled_at: b.cancelledAt,
  finished_at: b.finishedAt,
});

export function reportView(r: BroadcastReport): z.infer<typeof ReportView> {
  const c = r.counts;
  return {
    ...summary(r.broadcast),
    content: r.broadcast.content,
    audience: r.broadcast.audience,
    counts: c,
    reached: { sent: c.sent + c.delivered + c.read, delivered: c.delivered + c.read, read: c.read },
    failed: c.failed,
    failures: r.failures,
    skipped: { opted_out: c.skipped_opted_out, no_consent: c.skipped_no_consent, window_closed: c.skipped_window },
  };
}

export const planView = (p: BroadcastPlan): z.infer<typeof PlanView> => ({
  ...(p.id ? { id: p.id } : {}),
  dry_run: p.dryRun,
  state: p.state,
  kind: p.kind,
  recipients: p.recipients,
  unusable: p.unusable,
  ...(p.reachableNow !== undefined ? { reachable_now: p.reachableNow } : {}),
  start_at: p.startAt,
  ...(p.sample ? { sample: p.sample } : {}),
});
