import { CONVERSATION_STREAM_FIELD, decodeConversationEntries } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';

const event = {
  v: 1,
  id: 'received:wamid.A',
  at: '2026-01-02T03:04:05.000Z',
  channel: 'cloud',
  chatId: '573001112233',
  type: 'message_received',
  message: { id: 'wamid.A', kind: 'text', text: 'sin internet' },
};

describe('decodeConversationEntries', () => {
  test('events in stream order; what is no event is set apart with its reason and text, never thrown', () => {
    const decoded = decodeConversationEntries([
      { id: '1-0', fields: [CONVERSATION_STREAM_FIELD, JSON.stringify(event)] },
      { id: '2-0', fields: [CONVERSATION_STREAM_FIELD, 'not json'] },
      { id: '3-0', fields: [CONVERSATION_STREAM_FIELD, JSON.stringify({ ...event, v: 99 })] },
      // The field's name as another field's value is not the field.
      { id: '4-0', fields: ['note', CONVERSATION_STREAM_FIELD] },
      { id: '5-0', fields: ['other', 'x', CONVERSATION_STREAM_FIELD, JSON.stringify({ ...event, id: 'received:B' })] },
    ]);
    expect(decoded.events.map((e) => e.id)).toEqual(['received:wamid.A', 'received:B']);
    expect(decoded.rejected).toEqual([
      { id: '2-0', reason: 'not JSON', raw: 'not json' },
      { id: '3-0', reason: expect.stringContaining('v: '), raw: expect.stringContaining('"v":99') },
      { id: '4-0', reason: 'not JSON', raw: '' },
    ]);
  });
});
