import { isAttachmentRequest, TicketsJob } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { minimalTicket } from './support/examples.js';

const attach = {
  kind: 'attach',
  messageId: 'wamid.ABC',
  correlationId: 'wamid.ABC',
  chat: { channel: 'cloud', chatId: '573001112233' },
  media: { id: '1234567890', mimeType: 'application/pdf', filename: 'recibo.pdf' },
  sentAt: '2025-01-02T03:04:05Z',
};

describe('TicketsJob', () => {
  test('a ticket request without kind stays a ticket request', () => {
    const parsed = TicketsJob.parse(minimalTicket);
    expect(isAttachmentRequest(parsed)).toBe(false);
    expect((parsed as { subject: string }).subject).toBe((minimalTicket as { subject: string }).subject);
  });

  test('an attach request parses as one', () => {
    const parsed = TicketsJob.parse(attach);
    expect(isAttachmentRequest(parsed)).toBe(true);
  });

  test('a refused attach names the field of the attach schema', () => {
    const result = TicketsJob.safeParse({ ...attach, media: { id: '../etc/passwd' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['media.id']);
  });

  test('a refused ticket request names its own missing field, not a union', () => {
    const { subject: _subject, ...withoutSubject } = minimalTicket as Record<string, unknown>;
    const result = TicketsJob.safeParse(withoutSubject);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['subject']);
  });
});
