import { SCHEDULED_NOTICE_KINDS, ScheduledNoticeKind } from '@helpline/contracts';
import { ErrorBody, type HttpApp, httpErrors } from '@helpline/runtime';
import { z } from 'zod';
import type { AccountsContext } from '../context.js';
import type { NoticeRunReport } from '../notices/run-notices.js';

const RunBody = z
  .strictObject({
    /** Decide and answer who would get what; queue nothing, record nothing. */
    dry_run: z.boolean().default(false),
    /** The business day to run (YYYY-MM-DD); today in BUSINESS_TIMEZONE when absent. */
    date: z.iso.date({ error: 'expected a date as YYYY-MM-DD' }).optional(),
    /** Only these kinds; all when absent. */
    kinds: z.array(ScheduledNoticeKind).min(1).max(SCHEDULED_NOTICE_KINDS.length).optional(),
  })
  .default({ dry_run: false });

const RunAnswer = z.object({
  date: z.string(),
  dry_run: z.boolean(),
  counts: z.record(z.string(), z.number()),
  notices: z.array(
    z.object({
      kind: z.string(),
      customer_id: z.string(),
      invoice_id: z.string(),
      chat_id: z.string().nullable(),
      language: z.string(),
      outcome: z.string(),
      values: z.record(z.string(), z.string()),
      text: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});

const view = (report: NoticeRunReport): z.infer<typeof RunAnswer> => ({
  date: report.date,
  dry_run: report.dryRun,
  counts: report.counts as Record<string, number>,
  notices: report.items.map((i) => ({
    kind: i.kind,
    customer_id: i.customerId,
    invoice_id: i.invoiceId,
    chat_id: i.chatId,
    language: i.language,
    outcome: i.outcome,
    values: i.values,
    ...(i.text !== undefined ? { text: i.text } : {}),
    ...(i.error !== undefined ? { error: i.error } : {}),
  })),
});

/**
 * `POST /api/notices/run` (and `/trigger-notifications`, the deployment's name for it):
 * runs the day's notices now, or with `dry_run` answers who would get what. Runs are
 * idempotent per (customer, invoice, kind, chat): running again, or beside the scheduled run,
 * sends nothing twice.
 */
export function registerNoticeRoutes(app: HttpApp, context: AccountsContext): void {
  const handle = async (body: z.infer<typeof RunBody>, log: { warn: (o: object, m: string) => void }) => {
    if (!context.notices.enabled && !body.dry_run) {
      throw httpErrors.conflict('notices are disabled (NOTICES_ENABLED=false); only dry_run is allowed');
    }
    let report: NoticeRunReport;
    try {
      report = await context.notices.run({
        date: body.date ?? context.notices.today(),
        trigger: 'manual',
        dryRun: body.dry_run,
        ...(body.kinds ? { kinds: body.kinds } : {}),
      });
    } catch (error) {
      log.warn({ err: error }, 'notice run failed');
      throw httpErrors.unavailable(`the ${context.billing.name} back-office or the database did not answer`);
    }
    return view(report);
  };
  for (const url of ['/api/notices/run', '/trigger-notifications']) {
    app.post(
      url,
      {
        onRequest: app.operatorAuth,
        schema: {
          summary:
            url === '/trigger-notifications'
              ? "Runs the day's notices now (the deployment's name for POST /api/notices/run)"
              : "Runs the day's notices now: due reminders, overdue and cut-off",
          description:
            'Each notice goes once per (customer, invoice, kind) to each phone of the account, whatever the runs. `dry_run: true` answers who would get what and sends nothing.',
          tags: ['notices'],
          security: [{ bearer: [] }],
          body: RunBody,
          response: { 200: RunAnswer, 409: ErrorBody, 503: ErrorBody },
        },
      },
      async (request) => handle(request.body, request.log),
    );
  }
}
