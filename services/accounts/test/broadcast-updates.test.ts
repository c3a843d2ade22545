import type { ConversationEvent } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { updatesFrom } from '../src/broadcasts/broadcast-events.js';
import { recipientJobId } from '../src/broadcasts/broadcast-message.js';

// The broadcast report reads every conversation event; most are about replies, not
// broadcasts, and must cost no PostgreSQL look-up.
const status = (providerMessageId: string, messageId?: string): ConversationEvent => ({
  v: 1,
  id: `st-${providerMessageId}-${messageId ?? 'none'}`,
  at: '2026-12-03T10:00:00.000Z',
  channel: 'cloud',
  chatId: '573001112233',
  type: 'delivery_status',
  providerMessageId,
  ...(messageId ? { messageId } : {}),
  status: 'delivered',
});

function storeRecording(known: Record<string, { broadcastId: string; seq: number }>) {
  const asked: string[][] = [];
  return {
    asked,
    async byProviderMessageId(ids: string[]) {
      asked.push(ids);
      return new Map(ids.flatMap((id) => (known[id] ? [[id, known[id]] as const] : [])));
    },
  };
}

describe('what the conversation events say of broadcast recipients', () => {
  test('a status naming its broadcast job is matched without a look-up', async () => {
    const store = storeRecording({});
    const updates = await updatesFrom([status('wamid.A', `helpline:${recipientJobId('b1x', 7)}`)], store);
    expect(updates).toEqual([{ broadcastId: 'b1x', seq: 7, state: 'delivered', providerMessageId: 'wamid.A' }]);
    expect(store.asked).toEqual([]);
  });

  test("statuses of replies (another job named) cost no look-up; one without callback data is looked up by the provider's id", async () => {
    const store = storeRecording({ 'wamid.C': { broadcastId: 'b2y', seq: 3 } });
    const updates = await updatesFrom(
      [status('wamid.B', 'helpline:in-wamid.Q-ack'), status('wamid.R', 'helpline:in-wamid.S-reply'), status('wamid.C')],
      store,
    );
    expect(store.asked).toEqual([['wamid.C']]);
    expect(updates).toEqual([{ broadcastId: 'b2y', seq: 3, state: 'delivered', providerMessageId: 'wamid.C' }]);
  });
});
