import { randomUUID } from 'node:crypto';
import type { proto, WAMessage } from '@whiskeysockets/baileys';

export interface FakeGroupMessageOptions {
  /** Group JID (`<id>@g.us`). */
  group: string;
  /** Sender: `<phone>@s.whatsapp.net` or `<lid>@lid`. */
  participant: string;
  /** Baileys 7's alternate id of the sender (the phone JID when `participant` is a LID). */
  participantAlt?: string;
  id?: string;
  pushName?: string;
  fromMe?: boolean;
  /** Seconds since the epoch. */
  timestamp?: number;
  text?: string;
  /** Quoted message: its id and sender. */
  quoted?: { id: string; participant: string; text?: string };
  mentions?: string[];
}

/** A Baileys message id as WhatsApp makes them (hex, upper case). */
export function fakeMessageId(): string {
  return `3EB0${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`;
}

function key(options: FakeGroupMessageOptions): WAMessage['key'] {
  return {
    remoteJid: options.group,
    fromMe: options.fromMe ?? false,
    id: options.id ?? fakeMessageId(),
    participant: options.participant,
    ...(options.participantAlt ? { participantAlt: options.participantAlt } : {}),
  };
}

function contextInfo(options: FakeGroupMessageOptions): proto.IContextInfo | undefined {
  if (!options.quoted && !options.mentions) return undefined;
  return {
    ...(options.quoted
      ? {
          stanzaId: options.quoted.id,
          participant: options.quoted.participant,
          quotedMessage: { conversation: options.quoted.text ?? '' },
        }
      : {}),
    ...(options.mentions ? { mentionedJid: options.mentions } : {}),
  };
}

function envelope(options: FakeGroupMessageOptions, message: proto.IMessage): WAMessage {
  return {
    key: key(options),
    messageTimestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    pushName: options.pushName ?? 'Tester',
    broadcast: false,
    message,
  };
}

/** A text message in a group: `conversation`, or `extendedTextMessage` when it quotes or mentions. */
export function fakeGroupText(options: FakeGroupMessageOptions): WAMessage {
  const text = options.text ?? 'El sistema POS no funciona en la tienda';
  const context = contextInfo(options);
  return envelope(options, context ? { extendedTextMessage: { text, contextInfo: context } } : { conversation: text });
}

/** An image with a caption in a group. */
export function fakeGroupImage(options: FakeGroupMessageOptions & { caption?: string }): WAMessage {
  return envelope(options, {
    imageMessage: {
      mimetype: 'image/jpeg',
      caption: options.caption ?? options.text,
      contextInfo: contextInfo(options),
    },
  });
}

/** A document with a caption in a group. */
export function fakeGroupDocument(
  options: FakeGroupMessageOptions & { caption?: string; fileName?: string },
): WAMessage {
  return envelope(options, {
    documentMessage: {
      mimetype: 'application/pdf',
      fileName: options.fileName ?? 'report.pdf',
      caption: options.caption ?? options.text,
      contextInfo: contextInfo(options),
    },
  });
}

/** A reaction to another message, and nothing else. */
export function fakeGroupReaction(options: FakeGroupMessageOptions & { to: string; emoji?: string }): WAMessage {
  return envelope(options, {
    reactionMessage: { key: { remoteJid: options.group, id: options.to, fromMe: false }, text: options.emoji ?? '👍' },
  });
}

/** A protocol message (here: a revoke), which carries no text for a person. */
export function fakeGroupProtocol(options: FakeGroupMessageOptions & { revokes: string }): WAMessage {
  return envelope(options, {
    protocolMessage: { type: 0, key: { remoteJid: options.group, id: options.revokes, fromMe: false } },
  });
}

/** A status update (`status@broadcast`). */
export function fakeStatusUpdate(participant: string, text = 'my status'): WAMessage {
  return envelope({ group: 'status@broadcast', participant, text }, { conversation: text });
}
