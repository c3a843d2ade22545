import { describe, expect, it } from 'vitest';
import type { Account, DueInvoice } from '../src/billing/billing-provider.js';
import { addDays, businessDate, dailyPattern, nextRunAt, zonedMoment } from '../src/notices/business-day.js';
import { chatIdOf } from '../src/notices/chat-id.js';
import { runDateOf } from '../src/notices/notice-scheduler.js';
import { selectNotices } from '../src/notices/select-notices.js';

const BOGOTA = 'America/Bogota';

describe('the daily run, with a fixed clock', () => {
  it('23:30 in Bogota is the next day in UTC, and the run is for the Bogota day', () => {
    const at = zonedMoment('2026-03-31', '23:30', BOGOTA);
    expect(at.toISOString()).toBe('2026-04-01T04:30:00.000Z');
    expect(businessDate(at, BOGOTA)).toBe('2026-03-31');
    // A job the scheduler planned for that moment runs for March 31 even if it starts (or is retried) later.
    const job = { opts: { prevMillis: at.getTime() }, timestamp: at.getTime() - 86_400_000 };
    expect(runDateOf(job, {}, BOGOTA)).toBe('2026-03-31');
    expect(runDateOf(job, { date: '2026-03-30' }, BOGOTA)).toBe('2026-03-30');
  });

  it('the next run crosses the day (and month) boundary once today’s time has passed', () => {
    const before = new Date('2026-03-31T13:59:00Z'); // 08:59 in Bogota
    expect(nextRunAt(before, '09:00', BOGOTA).toISOString()).toBe('2026-03-31T14:00:00.000Z');
    const after = new Date('2026-03-31T14:00:00Z'); // 09:00 exactly: the next is tomorrow
    expect(nextRunAt(after, '09:00', BOGOTA).toISOString()).toBe('2026-04-01T14:00:00.000Z');
    const lateEvening = new Date('2026-04-01T04:45:00Z'); // 23:45 on March 31 in Bogota
    expect(nextRunAt(lateEvening, '23:30', BOGOTA).toISOString()).toBe('2026-04-02T04:30:00.000Z');
  });

  it('follows daylight saving where the zone has it (Madrid, last Sunday of March)', () => {
    expect(zonedMoment('2026-03-28', '09:00', 'Europe/Madrid').toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(zonedMoment('2026-03-30', '09:00', 'Europe/Madrid').toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });

  it('is a cron pattern BullMQ reads in the zone, and calendar arithmetic crosses months and years', () => {
    expect(dailyPattern('07:05')).toBe('5 7 * * *');
    expect(() => dailyPattern('24:00')).toThrow(/HH:MM/);
    expect(addDays('2026-03-30', 3)).toBe('2026-04-02');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

const account = (customerId: string, extra: Partial<Account> = {}): Account => ({
  customerId,
  phones: ['+57 300 000 0000'],
  status: 'active',
  ...extra,
});
const pending = (id: string, dueOn: string, total = 1000n) => ({
  id,
  dueOn,
  totalMinor: total,
  state: 'pending' as const,
});

describe('which notices a day sends', () => {
  const date = '2026-03-31';
  it('a due reminder N days ahead (across the month), one overdue per customer keyed on its oldest invoice, cut-off once past the date', () => {
    const due: DueInvoice[] = [
      { account: account('A'), invoice: pending('A-1', '2026-04-03') },
      { account: account('A'), invoice: pending('A-0', '2026-04-02') },
      { account: account('B'), invoice: pending('B-1', '2026-03-10', 500n) },
      { account: account('B'), invoice: pending('B-2', '2026-03-20', 700n) },
      { account: account('C', { cutoffDate: '2026-03-25' }), invoice: pending('C-1', '2026-03-15') },
      { account: account('D', { status: 'suspended' }), invoice: pending('D-1', '2026-03-30') },
      { account: account('E', { status: 'cancelled' }), invoice: pending('E-1', '2026-03-01') },
      { account: account('F'), invoice: { ...pending('F-1', '2026-03-01'), state: 'paid' } },
    ];
    const picked = selectNotices(due, date, 3).map((n) => [n.kind, n.account.customerId, n.invoice.id, n.totalMinor]);
    expect(picked).toEqual([
      ['due_reminder', 'A', 'A-1', 1000n],
      ['overdue', 'B', 'B-1', 1200n],
      ['cut_off', 'C', 'C-1', 1000n],
      ['cut_off', 'D', 'D-1', 1000n],
    ]);
  });
  it('an invoice due today is neither reminded (unless N is 0) nor overdue', () => {
    const due: DueInvoice[] = [{ account: account('A'), invoice: pending('A-1', date) }];
    expect(selectNotices(due, date, 3)).toEqual([]);
    expect(selectNotices(due, date, 0).map((n) => n.kind)).toEqual(['due_reminder']);
  });
});

describe('the chat of a back-office phone', () => {
  it.each([
    ['+57 300 111 2233', '573001112233'],
    ['3001112233', '573001112233'],
    ['573001112233', '573001112233'],
    ['+1 (415) 555-0100', '14155550100'],
    ['123', undefined],
  ])('%s -> %s', (phone, chat) => {
    expect(chatIdOf(phone, '57')).toBe(chat);
  });
});
