import {
  AccountRequest,
  type AccountReply,
  accountReplyId,
  OutboundMessage,
  parseAccountReplyId,
} from '@helpline/contracts';
import { describe, expect, it } from 'vitest';
import { minimalAccountRequest, minimalOutbound } from './support/examples.js';

const issuesOf = (input: unknown) =>
  AccountRequest.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('AccountRequest', () => {
  it('accepts each kind with its own fields', () => {
    const base = minimalAccountRequest;
    const valid = [
      base,
      { ...base, kind: 'invoices' },
      { ...base, kind: 'invoice_document', customerId: '1001', invoiceId: '77' },
      { ...base, kind: 'payment_points', location: { latitude: 4.6, longitude: -74.08 } },
      { ...base, kind: 'plan_choice', customerId: '1001', planId: 'p-2' },
      { ...base, kind: 'password_change', target: 'wifi' },
      { ...base, kind: 'receipt', media: { mediaId: '9912', mimeType: 'image/jpeg', caption: 'pago' } },
      { ...base, kind: 'identify', text: '1.020.345' },
      { ...base, kind: 'choose_account', customerId: '1001', resume: 'debt' },
      { ...base, kind: 'message', text: 'cuánto debo', category: 'billing' },
    ];
    for (const request of valid) expect(issuesOf(request), JSON.stringify(request)).toEqual([]);
  });

  it('names the missing or wrong field', () => {
    expect(issuesOf({ ...minimalAccountRequest, kind: 'invoice_document', customerId: '1001' })).toEqual([
      'invoiceId: Invalid input: expected string, received undefined',
    ]);
    expect(issuesOf({ ...minimalAccountRequest, kind: 'receipt' })[0]).toMatch(/^media:/);
    expect(issuesOf({ ...minimalAccountRequest, kind: 'plan_choice', customerId: '1/../2', planId: 'x' })[0]).toMatch(
      /^customerId: letters, digits/,
    );
    expect(
      issuesOf({ ...minimalAccountRequest, kind: 'payment_points', location: { latitude: 91, longitude: 0 } })[0],
    ).toMatch(/^location.latitude/);
    expect(issuesOf({ ...minimalAccountRequest, kind: 'refund' })[0]).toMatch(/^kind:/);
    expect(issuesOf({ ...minimalAccountRequest, phone: '' })[0]).toMatch(/^phone:/);
  });
});

describe('account reply ids', () => {
  const replies: AccountReply[] = [
    { kind: 'debt' },
    { kind: 'invoices' },
    { kind: 'billing_menu' },
    { kind: 'payment_points' },
    { kind: 'plans' },
    { kind: 'invoice_document', customerId: '1001', invoiceId: '55' },
    { kind: 'plan_choice', customerId: '1001', planId: '3' },
    { kind: 'password_change', target: 'account' },
    { kind: 'choose_account', customerId: 'C-9', resume: 'invoices' },
  ];

  it('read back what they were built from, within WhatsApp’s 200 characters', () => {
    for (const reply of replies) {
      const id = accountReplyId(reply);
      expect(id.length).toBeLessThanOrEqual(200);
      expect(parseAccountReplyId(id)).toEqual(reply);
    }
  });

  it('refuse other prefixes, unknown kinds and ids that could reach a URL', () => {
    for (const id of [
      undefined,
      'menu.billing',
      'acct.',
      'acct.refund',
      'acct.debt.1',
      'acct.invoice.1001',
      'acct.invoice.10/01.5',
      'acct.account.1001.receipt',
      'acct.password.root',
      'acct.plan.1.2.3',
    ]) {
      expect(parseAccountReplyId(id), String(id)).toBeUndefined();
    }
  });
});

describe('OutboundMessage additions', () => {
  it('a location message, and a document sent by reference', () => {
    expect(
      OutboundMessage.safeParse({
        ...minimalOutbound,
        content: { kind: 'location', latitude: 4.65, longitude: -74.05, name: 'Caja', address: 'Cra 7 # 45-10' },
      }).success,
    ).toBe(true);
    const doc = {
      ...minimalOutbound,
      content: { kind: 'media', mediaType: 'document', ref: { service: 'accounts', id: 'stmt-1' }, filename: 'a.pdf' },
    };
    expect(OutboundMessage.safeParse(doc).success).toBe(true);
    expect(
      OutboundMessage.safeParse({ ...doc, content: { ...doc.content, link: 'https://example.com/a.pdf' } }).success,
    ).toBe(false);
    expect(OutboundMessage.safeParse({ ...doc, content: { ...doc.content, mediaType: 'image' } }).success).toBe(false);
    expect(
      OutboundMessage.safeParse({ ...minimalOutbound, content: { kind: 'location', latitude: 100, longitude: 0 } })
        .success,
    ).toBe(false);
  });

  it('meta.awaiting says what the chat waits for', () => {
    const ok = OutboundMessage.safeParse({ ...minimalOutbound, meta: { awaiting: 'account_identity' } });
    expect(ok.success).toBe(true);
    expect(OutboundMessage.safeParse({ ...minimalOutbound, meta: { awaiting: 'password' } }).success).toBe(false);
  });
});
