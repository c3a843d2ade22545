import type { Language, ScheduledNoticeKind } from '@helpline/contracts';
import type { Logger, Producer } from '@helpline/runtime';
import type { Account, BillingProvider, Invoice } from '../billing/billing-provider.js';
import { formatCop } from '../billing/money.js';
import { firstName, showDate } from '../conversation/format-and-fill.js';
import type { TextBook } from '../conversation/texts.js';
import type { ChatLanguages } from './chat-languages.js';
import { chatIdOf } from './chat-id.js';
import type { NoticeLedger } from './notice-ledger.js';
import { type NoticeDraft, noticeIdOf, noticeText, queueNotice } from './notice-message.js';
import type { NoticeMetrics, NoticeOutcome } from './notice-metrics.js';
import type { OptOutStore } from './opt-out-store.js';
import { dueWindow, type NoticeCandidate, selectNotices } from './select-notices.js';

/** What a run did (or, dry, would do) with one notice. */
export type RunOutcome = NoticeOutcome | 'would_send' | 'would_skip_opted_out';

export interface NoticeRunItem {
  kind: ScheduledNoticeKind;
  customerId: string;
  invoiceId: string;
  chatId: string | null;
  language: Language;
  values: Record<string, string>;
  outcome: RunOutcome;
  /** The text the customer would read (dry runs only). */
  text?: string;
  error?: string;
}

export interface NoticeRunReport {
  date: string;
  dryRun: boolean;
  trigger: 'schedule' | 'manual';
  items: NoticeRunItem[];
  counts: Partial<Record<RunOutcome, number>>;
}

export interface NoticeRunDeps {
  billing: BillingProvider;
  ledger: NoticeLedger;
  optOuts: OptOutStore;
  languages: ChatLanguages;
  outbound: Producer<'outbound'>;
  texts: TextBook;
  metrics: NoticeMetrics;
  logger: Logger;
  daysBeforeDue: number;
  countryCode: string;
}

export interface NoticeRunRequest {
  date: string;
  trigger: 'schedule' | 'manual';
  dryRun?: boolean;
  /** Only these kinds (all when absent). */
  kinds?: readonly ScheduledNoticeKind[];
}

/** The template values of a notice, by name: what its text and its template say. */
export function noticeValues(
  candidate: Pick<NoticeCandidate, 'account' | 'invoice' | 'totalMinor'>,
  language: Language,
): Record<string, string> {
  const { account, invoice } = candidate;
  const values: Record<string, string> = {
    customer_name: firstName(account),
    amount: formatCop(candidate.totalMinor),
    invoice_number: invoice.number ?? invoice.id,
    due_date: showDate(invoice.dueOn, language) || '-',
  };
  if (account.cutoffDate) values.cutoff_date = showDate(account.cutoffDate, language);
  else values.cutoff_date = values.due_date as string;
  return values;
}

/**
 * Every chat of the account, in the back-office's order, each once (`+57 300...` and
 * `300...` are one chat). Whether a chat may get a notice (Ley 1581 consent, opt-out) is
 * the gateway's check at send time, so a phone that never consented gets nothing and the
 * skip is recorded.
 */
export function chatsOf(account: Account, countryCode: string): string[] {
  const chats: string[] = [];
  for (const phone of account.phones) {
    const chat = chatIdOf(phone, countryCode);
    if (chat && !chats.includes(chat)) chats.push(chat);
  }
  return chats;
}

/**
 * The day's notices: chosen from the back-office's pending invoices, each re-checked just
 * before it is queued (paid meanwhile: not sent), one per phone of the account, each claimed
 * in the ledger (once per customer, invoice, kind and chat, across restarts, re-runs and
 * replicas), then queued on `outbound`. A
 * dry run decides the same and queues nothing. A notice that fails is reported and the
 * others go on; the scheduled job then fails and is retried (what went is not sent again).
 */
export async function runNotices(deps: NoticeRunDeps, request: NoticeRunRequest): Promise<NoticeRunReport> {
  const { date } = request;
  const dryRun = request.dryRun === true;
  const due = await deps.billing.pendingInvoicesDue(dueWindow(date, deps.daysBeforeDue));
  const candidates = selectNotices(due, date, deps.daysBeforeDue).filter(
    (c) => !request.kinds || request.kinds.includes(c.kind),
  );
  const chats = candidates.map((c) => chatsOf(c.account, deps.countryCode));
  const languages = await deps.languages.of(chats.flat());

  const items: NoticeRunItem[] = [];
  for (const [index, candidate] of candidates.entries()) {
    // One notice per chat of the account; an account without a usable phone is reported once.
    const targets: Array<string | null> = chats[index]?.length ? (chats[index] as string[]) : [null];
    // Asked of the back-office once per notice, whatever the number of phones.
    let pending: Promise<boolean> | undefined;
    const stillPending = () => {
      pending ??= isStillPending(deps.billing, candidate.account, candidate.invoice);
      return pending;
    };
    for (const chatId of targets) {
      const language = (chatId && languages.get(chatId)) || 'es';
      const item: NoticeRunItem = {
        kind: candidate.kind,
        customerId: candidate.account.customerId,
        invoiceId: candidate.invoice.id,
        chatId,
        language,
        values: noticeValues(candidate, language),
        outcome: 'failed',
      };
      items.push(item);
      try {
        item.outcome = await decideOne(deps, item, stillPending, date, dryRun);
      } catch (error) {
        item.outcome = 'failed';
        item.error = error instanceof Error ? error.message : String(error);
        deps.logger.warn({ err: error, kind: item.kind, noticeOf: item.customerId }, 'notice could not be queued');
      }
      if (!dryRun) deps.metrics.notice(item.kind, item.outcome as NoticeOutcome);
    }
  }

  const counts: Partial<Record<RunOutcome, number>> = {};
  for (const item of items) counts[item.outcome] = (counts[item.outcome] ?? 0) + 1;
  if (!dryRun) await deps.ledger.recordRun(date, request.trigger, counts);
  return { date, dryRun, trigger: request.trigger, items, counts };
}

async function isStillPending(billing: BillingProvider, account: Account, invoice: Invoice): Promise<boolean> {
  const now = await billing.invoice(account, invoice.id);
  return now?.state === 'pending';
}

async function decideOne(
  deps: NoticeRunDeps,
  item: NoticeRunItem,
  stillPending: () => Promise<boolean>,
  date: string,
  dryRun: boolean,
): Promise<RunOutcome> {
  if (!item.chatId) return 'skipped_no_phone';
  const key = { customerId: item.customerId, invoiceId: item.invoiceId, kind: item.kind, chatId: item.chatId };
  // Already queued: not asked of the back-office again.
  const recorded = await deps.ledger.find(key);
  if (recorded === 'queued') return 'already_queued';
  if (!(await stillPending())) return 'skipped_paid';
  const draft: NoticeDraft = {
    purpose: item.kind,
    noticeId: noticeIdOf(key),
    chatId: item.chatId,
    customerId: item.customerId,
    language: item.language,
    values: item.values,
  };
  if (dryRun) {
    item.text = noticeText(draft, deps.texts[item.language]);
    return (await deps.optOuts.isOptedOut(item.chatId)) ? 'would_skip_opted_out' : 'would_send';
  }
  const claim = await deps.ledger.claim(key, draft.noticeId, date);
  if (claim.state === 'queued') return 'already_queued';
  await queueNotice(deps.outbound, { ...draft, noticeId: claim.noticeId }, deps.texts[item.language]);
  await deps.ledger.markQueued(claim.noticeId);
  return 'queued';
}
