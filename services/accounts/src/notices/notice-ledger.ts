import type { ScheduledNoticeKind } from '@helpline/contracts';
import type { Database } from '@helpline/runtime';
import { CodedError, ERRORS } from '@helpline/runtime';

export type LedgerKind = ScheduledNoticeKind | 'restored';

/** One notice: about one invoice of one customer, of one kind, to one of the account's chats. */
export interface NoticeKey {
  customerId: string;
  invoiceId: string;
  kind: LedgerKind;
  /** The chat (wa_id) it goes to: each phone of the account gets its own. */
  chatId: string;
}

/**
 * What a claim found:
 * - `new`: this run wrote the row and must queue the notice;
 * - `unqueued`: a run (this one's predecessor, or another replica right now) claimed it but
 *   did not record it queued: queue it again under the same job id, which the queue and the
 *   gateway's send guard drop if it already went;
 * - `queued`: it went before: nothing to do.
 */
export type ClaimResult = { state: 'new' | 'unqueued' | 'queued'; noticeId: string };

/** The notices decided so far, in PostgreSQL: once per (customer, invoice, kind, chat), whatever the runs. */
export interface NoticeLedger {
  claim(key: NoticeKey, noticeId: string, businessDate: string): Promise<ClaimResult>;
  /** Whether the notice is recorded at all (for a dry run: would it be new?). */
  find(key: NoticeKey): Promise<'claimed' | 'queued' | undefined>;
  markQueued(noticeId: string): Promise<void>;
  recordRun(businessDate: string, trigger: string, counts: Record<string, number>): Promise<void>;
  /** When the last run finished (any trigger), or undefined before the first. */
  lastRunAt(): Promise<Date | undefined>;
}

export function createNoticeLedger(db: Database): NoticeLedger {
  return {
    async claim(key, noticeId, businessDate) {
      const inserted = await db.query<{ notice_id: string }>(
        `INSERT INTO notices (customer_id, invoice_id, kind, notice_id, chat_id, business_date, state)
         VALUES ($1, $2, $3, $4, $5, $6::date, 'claimed')
         ON CONFLICT (customer_id, invoice_id, kind, chat_id) DO NOTHING
         RETURNING notice_id`,
        [key.customerId, key.invoiceId, key.kind, noticeId, key.chatId, businessDate],
        'notices.claim',
      );
      if (inserted.rows[0]) return { state: 'new', noticeId };
      const existing = await db.query<{ notice_id: string; state: 'claimed' | 'queued' }>(
        `SELECT notice_id, state FROM notices
          WHERE customer_id = $1 AND invoice_id = $2 AND kind = $3 AND chat_id = $4`,
        [key.customerId, key.invoiceId, key.kind, key.chatId],
        'notices.existing',
      );
      const row = existing.rows[0];
      if (!row) throw new CodedError(ERRORS.internal_error, 'notice row vanished between insert and read');
      return { state: row.state === 'queued' ? 'queued' : 'unqueued', noticeId: row.notice_id };
    },
    async find(key) {
      const r = await db.query<{ state: 'claimed' | 'queued' }>(
        'SELECT state FROM notices WHERE customer_id = $1 AND invoice_id = $2 AND kind = $3 AND chat_id = $4',
        [key.customerId, key.invoiceId, key.kind, key.chatId],
        'notices.find',
      );
      return r.rows[0]?.state;
    },
    async markQueued(noticeId) {
      await db.query(
        `UPDATE notices SET state = 'queued', queued_at = now() WHERE notice_id = $1 AND state = 'claimed'`,
        [noticeId],
        'notices.queued',
      );
    },
    async recordRun(businessDate, trigger, counts) {
      await db.query(
        'INSERT INTO notice_runs (business_date, trigger, counts) VALUES ($1::date, $2, $3::jsonb)',
        [businessDate, trigger, JSON.stringify(counts)],
        'notices.run',
      );
    },
    async lastRunAt() {
      const r = await db.query<{ at: Date | null }>(
        'SELECT max(finished_at) AS at FROM notice_runs',
        [],
        'notices.last_run',
      );
      return r.rows[0]?.at ?? undefined;
    },
  };
}
