import type { OutboundMessage } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import type { ChatRecord } from '../src/conversation/chat-records.js';
import { createChatChannels } from '../src/outbound/chat-channel.js';
import { outbound } from './support/cloud-harness.js';

// Which channel a message a service started itself takes: the one its chat last wrote on,
// else the deployment's (the Cloud API when configured, else Twilio).

const records: Record<string, Pick<ChatRecord, 'channel'>> = {
  '573001000001': { channel: 'twilio' },
  '573001000002': { channel: 'cloud' },
  '573001000003': {},
};
const chats = async (ids: readonly string[]) => ids.map((id) => records[id]);
const notice = (to: string, channelFromChat = true): OutboundMessage =>
  outbound({
    correlationId: `n-${to}`,
    purpose: 'broadcast',
    channel: 'cloud',
    to,
    channelFromChat,
    content: { kind: 'text', body: 'Aviso' },
  });

describe('the channel of a message that follows its chat', () => {
  test('both channels on: the chat’s own; the Cloud API for a chat that never wrote', async () => {
    const channels = createChatChannels({ chats, enabled: { cloud: {}, twilio: {} } });
    expect((await channels.resolve(notice('573001000001'))).channel).toBe('twilio');
    expect((await channels.resolve(notice('573001000002'))).channel).toBe('cloud');
    expect((await channels.resolve(notice('573001000003'))).channel).toBe('cloud');
    expect((await channels.resolve(notice('573009999999'))).channel).toBe('cloud');
    expect(await channels.of(['573001000001', '573009999999'])).toEqual(['twilio', 'cloud']);
  });

  test('a message that does not ask keeps its channel', async () => {
    const channels = createChatChannels({ chats, enabled: { cloud: {}, twilio: {} } });
    const reply = notice('573001000001', false);
    expect(await channels.resolve(reply)).toBe(reply);
  });

  test('only Twilio on: Twilio for everyone; only the Cloud API on: a Twilio chat goes there', async () => {
    const twilioOnly = createChatChannels({ chats, enabled: { twilio: {} } });
    expect((await twilioOnly.resolve(notice('573001000002'))).channel).toBe('twilio');
    expect((await twilioOnly.resolve(notice('573009999999'))).channel).toBe('twilio');
    const cloudOnly = createChatChannels({ chats, enabled: { cloud: {} } });
    expect((await cloudOnly.resolve(notice('573001000001'))).channel).toBe('cloud');
  });
});
