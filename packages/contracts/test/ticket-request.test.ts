import { TicketRequest } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { fullTicket, minimalReport, minimalTicket, replyTarget } from './support/examples.js';
import { issuePaths, onlyIssue } from './support/issues.js';

describe('TicketRequest', () => {
  test('a minimal request parses', () => {
    const parsed = TicketRequest.parse(minimalTicket);
    expect(parsed.contact).toEqual({ phone: '34600000000' });
    expect(parsed.replyTo).toBeUndefined();
    expect(parsed.findings).toBeUndefined();
  });

  test('a full request, with findings, parses unchanged', () => {
    expect(TicketRequest.parse(fullTicket)).toEqual(fullTicket);
  });

  test('the reply target defaults to Spanish', () => {
    const parsed = TicketRequest.parse({ ...minimalTicket, replyTo: replyTarget });
    expect(parsed.replyTo?.language).toBe('es');
  });

  test.each([
    ['phone', { phone: '34600000000' }],
    ['contactId', { contactId: 'zoho-1' }],
    ['email', { email: 'a@example.com' }],
  ])('a contact identified only by %s is enough', (_name, contact) => {
    expect(TicketRequest.safeParse({ ...minimalTicket, contact }).success).toBe(true);
  });

  test('a contact with no identifier is refused on contact', () => {
    const issue = onlyIssue(TicketRequest, { ...minimalTicket, contact: { name: 'Ana', customerId: 'C-42' } });
    expect(issue.path).toEqual(['contact']);
    expect(issue.message).toBe('needs at least one of phone, contactId or email');
  });

  test('a blank phone is refused and does not count as an identifier', () => {
    expect(issuePaths(TicketRequest, { ...minimalTicket, contact: { phone: '  ' } })).toEqual([
      ['contact', 'phone'],
      ['contact'],
    ]);
  });

  test.each([
    ['an unknown category', { category: 'network' }, ['category']],
    ['an unknown priority', { priority: 'critical' }, ['priority']],
    ['an empty idempotency key', { idempotencyKey: '' }, ['idempotencyKey']],
    ['a subject over 255 characters', { subject: 's'.repeat(256) }, ['subject']],
    ['a description over 32000 characters', { description: 'd'.repeat(32_001) }, ['description']],
    ['a malformed email', { contact: { email: 'not-an-email' } }, ['contact', 'email']],
    ['an unknown channel', { channel: 'email' }, ['channel']],
    ['a reply target without chat', { replyTo: { channel: 'cloud' } }, ['replyTo', 'chatId']],
    ['findings with an unknown status', { findings: { ...minimalReport, status: 'broken' } }, ['findings', 'status']],
  ])('refuses %s and names the field', (_name, patch, path) => {
    expect(issuePaths(TicketRequest, { ...minimalTicket, ...patch })).toEqual([path]);
  });
});
