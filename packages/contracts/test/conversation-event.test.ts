import { ConversationEvent, conversationEventIds, conversationStreamKey } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';

const base = { v: 1, at: '2026-01-02T03:04:05.000Z', channel: 'cloud', chatId: '573001112233' } as const;

describe('ConversationEvent', () => {
  test('parses one event of each type', () => {
    const events = [
      {
        ...base,
        id: conversationEventIds.received('wamid.A'),
        type: 'message_received',
        message: { id: 'wamid.A', kind: 'text', text: 'sin internet' },
      },
      {
        ...base,
        id: conversationEventIds.sent('wamid.A-ack'),
        type: 'message_sent',
        message: { id: 'wamid.A-ack', correlationId: 'wamid.A', purpose: 'ack', kind: 'text', text: 'ok' },
      },
      {
        ...base,
        id: conversationEventIds.status('wamid.B', 'failed'),
        type: 'delivery_status',
        providerMessageId: 'wamid.B',
        status: 'failed',
        error: { code: 131047, title: 'Re-engagement message' },
      },
      {
        ...base,
        id: conversationEventIds.consent('wamid.C', 'given'),
        type: 'consent',
        decision: 'given',
        noticeVersion: 'v1',
        noticeSha256: 'a'.repeat(64),
        messageId: 'wamid.C',
      },
      { ...base, id: 'h', type: 'handoff_started', reason: 'customer', until: base.at },
      { ...base, id: 'he', type: 'handoff_ended', reason: 'staff' },
      { ...base, id: 'c', type: 'chat_closed' },
      { ...base, id: 'e', type: 'chat_erased' },
    ];
    for (const event of events) expect(ConversationEvent.parse(event).type).toBe(event.type);
  });

  test('refuses an unknown version, a bad hash and a status Meta does not send', () => {
    const consent = {
      ...base,
      id: 'x',
      type: 'consent',
      decision: 'given',
      noticeVersion: 'v1',
      noticeSha256: 'a'.repeat(64),
      messageId: 'm',
    };
    expect(ConversationEvent.safeParse({ ...consent, v: 2 }).success).toBe(false);
    expect(ConversationEvent.safeParse({ ...consent, noticeSha256: 'zz' }).success).toBe(false);
    const status = { ...base, id: 's', type: 'delivery_status', providerMessageId: 'p', status: 'queued' };
    expect(ConversationEvent.safeParse(status).success).toBe(false);
  });

  test('ids derive from the fact and the stream key from the prefix', () => {
    expect(conversationEventIds.received('wamid.A')).toBe(conversationEventIds.received('wamid.A'));
    expect(conversationEventIds.status('p', 'read')).not.toBe(conversationEventIds.status('p', 'delivered'));
    expect(conversationStreamKey('bull')).toBe('bull:conversation:events');
  });
});
