import { DIAGNOSTIC_CHECKS, DiagnosticReport, DiagnosticRequest } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { fullDiagnostic, fullReport, minimalDiagnostic, minimalReport } from './support/examples.js';
import { issuePaths, onlyIssue } from './support/issues.js';

describe('DiagnosticRequest', () => {
  test('a minimal request parses with its defaults', () => {
    const parsed = DiagnosticRequest.parse(minimalDiagnostic);
    expect(parsed.openTicketOnFailure).toBe(true);
    expect(parsed.replyTo.language).toBe('es');
  });

  test('a full request parses unchanged', () => {
    expect(DiagnosticRequest.parse(fullDiagnostic)).toEqual(fullDiagnostic);
  });

  test.each([
    ['phone', { phone: '34600000000' }],
    ['customerId', { customerId: 'C-42' }],
    ['pppoeUser', { pppoeUser: 'ana.perez' }],
    ['documentNumber', { documentNumber: '12345678Z' }],
  ])('a customer referenced only by %s is enough', (_name, customer) => {
    expect(DiagnosticRequest.safeParse({ ...minimalDiagnostic, customer }).success).toBe(true);
  });

  test('a customer with no reference is refused on customer', () => {
    const issue = onlyIssue(DiagnosticRequest, { ...minimalDiagnostic, customer: {} });
    expect(issue.path).toEqual(['customer']);
    expect(issue.message).toBe('needs at least one of phone, customerId, pppoeUser or documentNumber');
  });

  test('a blank reference is refused and does not count as one', () => {
    expect(issuePaths(DiagnosticRequest, { ...minimalDiagnostic, customer: { pppoeUser: '' } })).toEqual([
      ['customer', 'pppoeUser'],
      ['customer'],
    ]);
  });

  test.each([
    ['a blank correlation id', { correlationId: ' ' }, ['correlationId']],
    ['a correlation id over 256 characters', { correlationId: 'c'.repeat(257) }, ['correlationId']],
    [
      'a reply target in an unknown language',
      { replyTo: { channel: 'cloud', chatId: 'x', language: 'fr' } },
      ['replyTo', 'language'],
    ],
    ['reported text over 4096 characters', { reportedText: 'r'.repeat(4097) }, ['reportedText']],
    ['a date without time', { requestedAt: '2025-03-14' }, ['requestedAt']],
    ['openTicketOnFailure as a string', { openTicketOnFailure: 'false' }, ['openTicketOnFailure']],
  ])('refuses %s and names the field', (_name, patch, path) => {
    expect(issuePaths(DiagnosticRequest, { ...minimalDiagnostic, ...patch })).toEqual([path]);
  });
});

describe('DiagnosticReport', () => {
  test('minimal and full reports parse unchanged', () => {
    expect(DiagnosticReport.parse(minimalReport)).toEqual(minimalReport);
    expect(DiagnosticReport.parse(fullReport)).toEqual(fullReport);
  });

  test('a report may hold no checks (the customer was not found before any ran)', () => {
    expect(DiagnosticReport.parse({ ...minimalReport, status: 'unknown', checks: [] }).checks).toEqual([]);
  });

  test('the check names are the ones the network service runs', () => {
    expect(DIAGNOSTIC_CHECKS).toEqual(['customer', 'account', 'outage', 'pppoe_session', 'ping', 'queue']);
  });

  test.each([
    ['an unknown status', { status: 'broken' }, ['status']],
    ['a summary without English', { summary: { es: 'Caída' } }, ['summary', 'en']],
    ['a finishedAt that is not a date', { finishedAt: 'later' }, ['finishedAt']],
    ['an unknown check', { checks: [{ name: 'traceroute', result: 'pass', finding: 'ok' }] }, ['checks', 0, 'name']],
    [
      'an unknown result',
      { checks: [{ name: 'ping', result: 'timeout', finding: 'no answer' }] },
      ['checks', 0, 'result'],
    ],
    ['an empty finding', { checks: [{ name: 'ping', result: 'pass', finding: '' }] }, ['checks', 0, 'finding']],
    [
      'check data holding an object',
      { checks: [{ name: 'ping', result: 'pass', finding: 'ok', data: { rtt: { avg: 3 } } }] },
      ['checks', 0, 'data', 'rtt'],
    ],
  ])('refuses %s and names the field', (_name, patch, path) => {
    expect(issuePaths(DiagnosticReport, { ...minimalReport, ...patch })).toEqual([path]);
  });
});
