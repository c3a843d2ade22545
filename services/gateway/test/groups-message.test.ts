import { InboundMessage } from '@helpline/contracts';
import { createLogger } from '@helpline/runtime';
import { readConformancePayloads } from '@helpline/testkit';
import {
  createFakeBaileysSocketFactory,
  fakeGroupDocument,
  fakeGroupImage,
  fakeGroupProtocol,
  fakeGroupReaction,
  fakeGroupText,
  fakeStatusUpdate,
} from '@helpline/testkit/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { judgeGroupMessage, toInboundMessage, vcardPhones } from '../src/groups/group-message.js';
import { LidDirectory } from '../src/groups/lid-directory.js';

const RECEIVED = new Date('2026-03-01T12:00:00.000Z');
const logger = createLogger({ name: 'test', level: 'silent' });

/** Judge, resolve the sender, and validate against the contract, as the adapter does. */
async function parse(message: WAMessage, allowed: Set<string>, lids = new LidDirectory(logger)) {
  const verdict = judgeGroupMessage(message, allowed);
  if (!verdict.take) return { skipped: verdict.reason };
  const sender = await lids.senderOf(message.key, verdict.participant, undefined);
  return { message: InboundMessage.parse(toInboundMessage(message, verdict, sender, RECEIVED)) };
}

describe('Baileys conformance payloads', () => {
  const payloads = readConformancePayloads('baileys');
  const groupsInCorpus = new Set(
    payloads.map((p) => (p.json as WAMessage).key.remoteJid ?? '').filter((jid) => jid.endsWith('@g.us')),
  );

  it('has the seven payloads', () => {
    expect(payloads.map((p) => p.name)).toHaveLength(7);
  });

  it.each(payloads.map((p) => [p.name, p] as const))(
    '%s parses: a group message, or a direct chat skipped',
    async (name, payload) => {
      const result = await parse(payload.json as WAMessage, groupsInCorpus);
      if (name.includes('-dm-')) expect(result).toEqual({ skipped: 'not_group' });
      else expect(result.message).toBeDefined();
    },
  );

  it.each([
    ['03-dm-conversation.json', { type: 'text', rawType: 'conversation', text: 'Este es un mensaje de texto' }],
    [
      '04-dm-extended-text-quoted.json',
      {
        type: 'text',
        rawType: 'extendedTextMessage',
        text: 'Este es un mensaje citando otro mensaje',
        replyTo: '97C6FAED61DBC4810E0A227C5D5A9F2A',
      },
    ],
    [
      '05-dm-image-caption.json',
      {
        type: 'image',
        rawType: 'imageMessage',
        text: 'Este es una foto con un caption y emojis 🦊☝🏼',
        media: { mimeType: 'image/jpeg', caption: 'Este es una foto con un caption y emojis 🦊☝🏼' },
      },
    ],
    [
      '06-dm-location.json',
      {
        type: 'location',
        rawType: 'locationMessage',
        text: '',
        location: { latitude: 24.091499, longitude: -110.3393781 },
      },
    ],
    [
      '07-dm-contact.json',
      {
        type: 'contacts',
        rawType: 'contactMessage',
        text: 'SomeoneWithEmojis 😔🙌',
        contacts: [{ name: 'SomeoneWithEmojis 😔🙌', phones: ['+52 612 394 8572'] }],
      },
    ],
  ] as const)(
    '%s: the conversion extracts its content, though a direct chat is skipped before it',
    (name, expected) => {
      const payload = payloads.find((p) => p.name === name);
      if (!payload) throw new Error(`conformance payload ${name} missing`);
      const message = payload.json as WAMessage;
      const jid = message.key.remoteJid!;
      // What the adapter would pass had the chat been an allow-listed group.
      const verdict = { take: true as const, groupJid: jid, messageId: message.key.id!, participant: jid };
      const inbound = InboundMessage.parse(
        toInboundMessage(message, verdict, { from: '5216129273647', phone: '5216129273647' }, RECEIVED),
      );
      expect(inbound).toMatchObject({
        id: message.key.id,
        channel: 'group',
        chatId: '5216129273647@s.whatsapp.net',
        from: '5216129273647',
        senderName: 'User Who Sends this msg',
        sentAt: new Date(Number(message.messageTimestamp) * 1000).toISOString(),
        ...expected,
      });
    },
  );

  it('reads every phone of a vCard, with or without item groups', () => {
    expect(
      vcardPhones(
        'BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nTEL;type=CELL;waid=573001112233:+57 300 1112233\nitem1.TEL:+57 601 5550000\nEND:VCARD',
      ),
    ).toEqual(['+57 300 1112233', '+57 601 5550000']);
    expect(vcardPhones(undefined)).toEqual([]);
  });

  it('turns the quoted group message from a LID participant into an InboundMessage', async () => {
    const payload = payloads.find((p) => p.name.startsWith('01-'))!;
    const { message } = await parse(payload.json as WAMessage, groupsInCorpus);
    expect(message).toMatchObject({
      id: 'DDD444EEE555FFF666',
      correlationId: 'DDD444EEE555FFF666',
      channel: 'group',
      chatId: '120363400000000000@g.us',
      // No mapping known: the LID stays the sender id.
      from: '111222333444555@lid',
      senderName: 'Group Tester',
      text: 'This is msg referencing a msg with !ping from GROUP',
      type: 'text',
      rawType: 'extendedTextMessage',
      replyTo: 'STANZA987654321',
      sentAt: new Date(1_757_127_802_000).toISOString(),
      receivedAt: RECEIVED.toISOString(),
    });
    expect(message?.senderPhone).toBeUndefined();
  });

  it('resolves the LID participant to a phone when the mapping is known', async () => {
    const payload = payloads.find((p) => p.name.startsWith('02-'))!;
    const lids = new LidDirectory(logger);
    lids.learn('999888777666@lid', '5491155556666@s.whatsapp.net');
    const { message } = await parse(payload.json as WAMessage, groupsInCorpus, lids);
    expect(message).toMatchObject({
      chatId: '123456789012345@g.us',
      from: '5491155556666',
      senderPhone: '5491155556666',
      text: 'This comes from group',
    });
  });

  it('skips a conformance group that is not allow-listed', async () => {
    const payload = payloads.find((p) => p.name.startsWith('02-'))!;
    expect(await parse(payload.json as WAMessage, new Set(['120363400000000000@g.us']))).toEqual({
      skipped: 'foreign_group',
    });
  });
});

describe('group messages', () => {
  const group = '120363411111111111@g.us';
  const allowed = new Set([group]);
  const participant = '5491122223333@s.whatsapp.net';

  it('takes plain text from a phone-addressed participant', async () => {
    const { message } = await parse(
      fakeGroupText({ group, participant, text: 'El sistema POS no funciona en la tienda', id: 'A1' }),
      allowed,
    );
    expect(message).toMatchObject({
      id: 'A1',
      from: '5491122223333',
      senderPhone: '5491122223333',
      text: 'El sistema POS no funciona en la tienda',
      type: 'text',
      rawType: 'conversation',
    });
  });

  it('reads mentions and the quoted message id', async () => {
    const { message } = await parse(
      fakeGroupText({
        group,
        participant,
        text: '@111 mira esto',
        quoted: { id: 'Q1', participant: '111@lid' },
        mentions: ['111@lid'],
      }),
      allowed,
    );
    expect(message).toMatchObject({ replyTo: 'Q1', mentions: ['111@lid'], rawType: 'extendedTextMessage' });
  });

  it('takes the caption of images and documents', async () => {
    const image = await parse(fakeGroupImage({ group, participant, caption: 'pantalla azul en caja 2' }), allowed);
    expect(image.message).toMatchObject({
      type: 'image',
      text: 'pantalla azul en caja 2',
      media: { mimeType: 'image/jpeg', caption: 'pantalla azul en caja 2' },
    });
    const doc = await parse(fakeGroupDocument({ group, participant, caption: 'factura', fileName: 'f.pdf' }), allowed);
    expect(doc.message).toMatchObject({ type: 'document', text: 'factura', media: { filename: 'f.pdf' } });
  });

  it('uses participantAlt (Baileys 7) for the phone of a LID participant', async () => {
    const { message } = await parse(
      fakeGroupText({ group, participant: '77@lid', participantAlt: '5491100007777@s.whatsapp.net' }),
      allowed,
    );
    expect(message).toMatchObject({ from: '5491100007777', senderPhone: '5491100007777' });
  });

  it("asks Baileys' LID store when nothing else knows the phone", async () => {
    const socket = createFakeBaileysSocketFactory()({ auth: {} as never });
    socket.mapLid('88@lid', '5491100008888@s.whatsapp.net', false);
    const lids = new LidDirectory(logger);
    expect(await lids.senderOf({ remoteJid: group }, '88@lid', socket)).toEqual({
      from: '5491100008888',
      phone: '5491100008888',
    });
    expect(await lids.senderOf({ remoteJid: group }, '99@lid', socket)).toEqual({ from: '99@lid' });
  });

  it.each([
    ['own', fakeGroupText({ group, participant, fromMe: true })],
    ['status_broadcast', fakeStatusUpdate(participant)],
    [
      'not_group',
      { ...fakeGroupText({ group, participant }), key: { remoteJid: participant, id: 'D1', fromMe: false } },
    ],
    ['foreign_group', fakeGroupText({ group: '120363422222222222@g.us', participant })],
    ['protocol', fakeGroupProtocol({ group, participant, revokes: 'X1' })],
    ['reaction', fakeGroupReaction({ group, participant, to: 'X1' })],
    [
      'no_content',
      { ...fakeGroupText({ group, participant }), message: { senderKeyDistributionMessage: { groupId: group } } },
    ],
  ] as const)('skips %s', (reason, message) => {
    expect(judgeGroupMessage(message as WAMessage, allowed)).toEqual({ take: false, reason });
  });
});
