import type { ScheduledNoticeKind } from '@helpline/contracts';
import type { Account, DueInvoice, Invoice } from '../billing/billing-provider.js';
import { addDays } from './business-day.js';

/** How far back an unpaid invoice still earns an overdue or cut-off notice. */
export const OVERDUE_LOOKBACK_DAYS = 120;

/** One notice the day's run would send: the customer, the invoice it is about, and what it says. */
export interface NoticeCandidate {
  kind: ScheduledNoticeKind;
  account: Account;
  /** The invoice the notice is keyed on (the oldest one it is about). */
  invoice: Invoice;
  /** Every pending invoice it covers (overdue and cut-off notices sum them). */
  totalMinor: bigint;
}

/** The due-date window the provider is asked for on `date`. */
export function dueWindow(date: string, daysBeforeDue: number): { from: string; to: string } {
  return { from: addDays(date, -OVERDUE_LOOKBACK_DAYS), to: addDays(date, daysBeforeDue) };
}

/** Past its cut-off date on `date`, or already suspended by the back-office. */
function pastCutoff(account: Account, date: string): boolean {
  return account.status === 'suspended' || (account.cutoffDate !== undefined && account.cutoffDate < date);
}

/**
 * The notices of business day `date` from the pending invoices around it. Pure. Per
 * customer: a due reminder for each invoice due exactly `daysBeforeDue` days later; and one
 * notice about its unpaid past-due invoices, keyed on the oldest of them: `cut_off` once
 * it is past its cut-off date (or suspended), `overdue` before. Each is sent once per key
 * (the ledger), so an overdue invoice earns one overdue notice, and one cut-off notice
 * when the cut comes.
 */
export function selectNotices(due: readonly DueInvoice[], date: string, daysBeforeDue: number): NoticeCandidate[] {
  const remindOn = addDays(date, daysBeforeDue);
  const byCustomer = new Map<string, { account: Account; invoices: Invoice[] }>();
  for (const { account, invoice } of due) {
    if (invoice.state !== 'pending' || !invoice.dueOn) continue;
    const entry = byCustomer.get(account.customerId) ?? { account, invoices: [] };
    entry.invoices.push(invoice);
    byCustomer.set(account.customerId, entry);
  }
  const out: NoticeCandidate[] = [];
  for (const { account, invoices } of byCustomer.values()) {
    if (account.status === 'cancelled') continue;
    const sorted = [...invoices].sort(
      (a, b) => (a.dueOn as string).localeCompare(b.dueOn as string) || a.id.localeCompare(b.id),
    );
    for (const invoice of sorted) {
      if (invoice.dueOn === remindOn)
        out.push({ kind: 'due_reminder', account, invoice, totalMinor: invoice.totalMinor });
    }
    const pastDue = sorted.filter((i) => (i.dueOn as string) < date);
    const oldest = pastDue[0];
    if (!oldest) continue;
    const total = pastDue.reduce((sum, i) => sum + i.totalMinor, 0n);
    out.push({ kind: pastCutoff(account, date) ? 'cut_off' : 'overdue', account, invoice: oldest, totalMinor: total });
  }
  return out;
}
