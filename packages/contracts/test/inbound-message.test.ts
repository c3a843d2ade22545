import { INBOUND_TYPES, InboundMessage } from '@helpline/contracts';
import { describe, expect, test } from 'vitest';
import { AT, fullInbound, minimalInbound } from './support/examples.js';
import { issuePaths, onlyIssue } from './support/issues.js';

describe('InboundMessage', () => {
  test('a minimal message parses and gets an empty history', () => {
    const parsed = InboundMessage.parse(minimalInbound);
    expect(parsed.history).toEqual([]);
    expect(parsed.media).toBeUndefined();
    expect(parsed.customer).toBeUndefined();
  });

  test('a message with every optional field parses unchanged', () => {
    expect(InboundMessage.parse(fullInbound)).toEqual(fullInbound);
  });

  test('every normalised type is accepted, including unknown with its raw name', () => {
    for (const type of INBOUND_TYPES) {
      expect(InboundMessage.safeParse({ ...minimalInbound, type }).success).toBe(true);
    }
    const unknown = InboundMessage.parse({ ...minimalInbound, type: 'unknown', rawType: 'hologram' });
    expect(unknown.rawType).toBe('hologram');
  });

  test('the text may be empty (a sticker or a location has none)', () => {
    expect(InboundMessage.parse({ ...minimalInbound, type: 'sticker', text: '' }).text).toBe('');
  });

  test('ids are trimmed', () => {
    const parsed = InboundMessage.parse({ ...minimalInbound, id: '  wamid.X  ' });
    expect(parsed.id).toBe('wamid.X');
  });

  test('the default history is a new array on every parse', () => {
    const first = InboundMessage.parse(minimalInbound);
    first.history.push({ role: 'bot', text: 'hola', at: AT });
    expect(InboundMessage.parse(minimalInbound).history).toEqual([]);
  });

  test('a history of 10 turns is accepted, 11 is refused on history', () => {
    const turn = { role: 'customer', text: 'x', at: AT } as const;
    expect(InboundMessage.parse({ ...minimalInbound, history: Array(10).fill(turn) }).history).toHaveLength(10);
    const issue = onlyIssue(InboundMessage, { ...minimalInbound, history: Array(11).fill(turn) });
    expect(issue.path).toEqual(['history']);
    expect(issue.code).toBe('too_big');
  });

  test.each([
    ['empty id', { id: '' }, ['id']],
    ['blank chatId', { chatId: '   ' }, ['chatId']],
    ['unknown channel', { channel: 'telegram' }, ['channel']],
    ['unknown type', { type: 'hologram' }, ['type']],
    ['missing from', { from: undefined }, ['from']],
    ['text over 64 KiB', { text: 'a'.repeat(65_537) }, ['text']],
    ['sentAt without a time zone', { sentAt: '2025-03-14T09:26:53' }, ['sentAt']],
    ['receivedAt as epoch seconds', { receivedAt: 1710408413 }, ['receivedAt']],
    ['reply of an unknown kind', { reply: { kind: 'carousel' } }, ['reply', 'kind']],
    ['reaction without removed flag', { reaction: { messageId: 'wamid.x' } }, ['reaction', 'removed']],
    ['non-integer error code', { errors: [{ code: 1.5 }] }, ['errors', 0, 'code']],
    [
      'order price as string',
      { order: { items: [{ productId: 'a', quantity: 1, price: '9.9', currency: 'EUR' }] } },
      ['order', 'items', 0, 'price'],
    ],
    ['customer without consent', { customer: { customerId: 'C-1' } }, ['customer', 'consent']],
    ['history turn with unknown role', { history: [{ role: 'system', text: 'x', at: AT }] }, ['history', 0, 'role']],
  ])('refuses %s and names the field', (_name, patch, path) => {
    expect(issuePaths(InboundMessage, { ...minimalInbound, ...patch })).toEqual([path]);
  });
});
