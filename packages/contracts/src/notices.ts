import { z } from 'zod';

/**
 * Notices (issue 16): the accounts service's daily run and the opt-out both services share.
 */

/** The kinds of notice the daily run sends, each once per (customer, invoice). */
export const SCHEDULED_NOTICE_KINDS = ['due_reminder', 'overdue', 'cut_off'] as const;
export const ScheduledNoticeKind = z.enum(SCHEDULED_NOTICE_KINDS);
export type ScheduledNoticeKind = z.infer<typeof ScheduledNoticeKind>;

/**
 * One run of the day's notices on the `notices` queue: the job scheduler's daily job (its
 * business date is the day of the time it was scheduled for) or a run asked for by staff.
 */
export const NoticeRunJob = z.object({
  trigger: z.enum(['schedule', 'manual']),
  /** The business day (YYYY-MM-DD) to run; absent: the day the job was scheduled for. */
  date: z.iso.date().optional(),
});
export type NoticeRunJob = z.infer<typeof NoticeRunJob>;

/**
 * The Redis set of chats (wa_id) that opted out of notices: written by the accounts service
 * (the record is in its PostgreSQL schema, the set a mirror rebuilt at its start), read by
 * the gateway's outbound worker at send time. Under the BullMQ prefix both share.
 */
export function noticeOptOutKey(prefix: string): string {
  return `${prefix}:notices:opted-out`;
}

/** The quick-reply button on every notice that stops them (an `acct.` id the gateway routes to accounts). */
export const NOTICE_STOP_BUTTON_ID = 'acct.notices_opt_out';
