import type { InboundMedia, InboundMessageInput, InboundType } from '@helpline/contracts';
import {
  getContentType,
  isJidGroup,
  isJidStatusBroadcast,
  normalizeMessageContent,
  type proto,
  type WAMessage,
} from '@whiskeysockets/baileys';

/** Why a received message was not taken in (a metric label: keep the list short and closed). */
export const SKIP_REASONS = [
  'not_notify',
  'own',
  'status_broadcast',
  'not_group',
  'foreign_group',
  'protocol',
  'reaction',
  'no_content',
  'no_id',
  'no_sender',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type GroupMessageVerdict =
  | { take: true; groupJid: string; messageId: string; participant: string }
  | { take: false; reason: SkipReason };

/**
 * Which received messages become InboundMessages: only other people's messages in
 * allow-listed groups that carry something a person wrote. Own messages (the bot's answers
 * come back as upserts), status updates, direct chats, other groups, protocol messages
 * (revokes, key shares, edits' envelopes) and bare reactions are skipped.
 */
export function judgeGroupMessage(message: WAMessage, allowedGroups: ReadonlySet<string>): GroupMessageVerdict {
  const { key } = message;
  const chat = key.remoteJid ?? '';
  if (key.fromMe) return { take: false, reason: 'own' };
  if (isJidStatusBroadcast(chat)) return { take: false, reason: 'status_broadcast' };
  if (!isJidGroup(chat)) return { take: false, reason: 'not_group' };
  if (!allowedGroups.has(chat)) return { take: false, reason: 'foreign_group' };
  if (!key.id) return { take: false, reason: 'no_id' };
  const content = normalizeMessageContent(message.message);
  const type = getContentType(content);
  if (!type) return { take: false, reason: 'no_content' };
  if (type === 'protocolMessage') return { take: false, reason: 'protocol' };
  if (type === 'reactionMessage') return { take: false, reason: 'reaction' };
  const participant = key.participant ?? message.participant;
  if (!participant) return { take: false, reason: 'no_sender' };
  return { take: true, groupJid: chat, messageId: key.id, participant };
}

/** The sender as the InboundMessage names it. */
export interface GroupSender {
  /** The phone number (digits) when known, else the participant JID. */
  from: string;
  /** E.164 digits without `+`, when known. */
  phone?: string;
}

const TYPES: Partial<Record<keyof proto.IMessage, InboundType>> = {
  conversation: 'text',
  extendedTextMessage: 'text',
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
  locationMessage: 'location',
  liveLocationMessage: 'location',
  contactMessage: 'contacts',
  contactsArrayMessage: 'contacts',
  buttonsResponseMessage: 'button',
  templateButtonReplyMessage: 'button',
  listResponseMessage: 'interactive',
  interactiveResponseMessage: 'interactive',
};

/**
 * The phone numbers of a shared contact's vCard: each `TEL` line's value, as the person
 * wrote it (`TEL;type=Mobile;waid=5216123948572:+52 612 394 8572` -> `+52 612 394 8572`).
 */
export function vcardPhones(vcard: string | null | undefined): string[] {
  if (!vcard) return [];
  return vcard
    .split(/\r?\n/)
    .filter((line) => /^(item\d+\.)?TEL[;:]/i.test(line))
    .map((line) => line.slice(line.indexOf(':') + 1).trim())
    .filter((phone) => phone.length > 0);
}

/** Shared contacts (one, or several at once) as names and phone numbers. */
function sharedContacts(content: proto.IMessage): NonNullable<InboundMessageInput['contacts']> | undefined {
  const cards = content.contactMessage ? [content.contactMessage] : (content.contactsArrayMessage?.contacts ?? []);
  if (cards.length === 0) return undefined;
  return cards.map((card) => ({
    ...(card.displayName ? { name: card.displayName } : {}),
    phones: vcardPhones(card.vcard),
  }));
}

/** Seconds since the epoch as Baileys gives them (number or protobuf Long) to ISO 8601. */
function timestampIso(value: WAMessage['messageTimestamp'], fallback: Date): string {
  if (typeof value === 'number' && value > 0) return new Date(value * 1000).toISOString();
  if (value && typeof value === 'object' && 'toNumber' in value) return new Date(value.toNumber() * 1000).toISOString();
  return fallback.toISOString();
}

/** The fields of an InboundMessage a group message carries (text, media, location, contacts, quote, mentions). */
export function toInboundMessage(
  message: WAMessage,
  verdict: Extract<GroupMessageVerdict, { take: true }>,
  sender: GroupSender,
  receivedAt: Date,
): InboundMessageInput {
  const content = normalizeMessageContent(message.message) ?? {};
  const rawType = getContentType(content);
  const image = content.imageMessage;
  const video = content.videoMessage ?? content.ptvMessage;
  const document = content.documentMessage;
  const audio = content.audioMessage;
  const contacts = sharedContacts(content);
  const text =
    content.conversation ??
    content.extendedTextMessage?.text ??
    image?.caption ??
    video?.caption ??
    document?.caption ??
    // A shared contact reads as its names, as the Cloud API's contacts do.
    contacts
      ?.map((c) => c.name)
      .filter(Boolean)
      .join(', ') ??
    '';
  const contextInfo = contextOf(content, rawType);

  let media: InboundMedia | undefined;
  const file = image ?? video ?? document ?? audio ?? content.stickerMessage;
  if (file) {
    media = {
      mimeType: file.mimetype ?? undefined,
      caption: image?.caption ?? video?.caption ?? document?.caption ?? undefined,
      filename: document?.fileName ?? undefined,
      voice: audio ? Boolean(audio.ptt) : undefined,
    };
  }
  const location = content.locationMessage ?? content.liveLocationMessage;
  const mentions = (contextInfo?.mentionedJid ?? []).filter(
    (jid): jid is string => typeof jid === 'string' && jid.length > 0,
  );

  return {
    id: verdict.messageId,
    correlationId: verdict.messageId,
    channel: 'group',
    chatId: verdict.groupJid,
    from: sender.from,
    senderPhone: sender.phone,
    senderName: message.pushName ?? undefined,
    text,
    type: (rawType && TYPES[rawType]) ?? 'unknown',
    rawType,
    media,
    location:
      location && typeof location.degreesLatitude === 'number' && typeof location.degreesLongitude === 'number'
        ? {
            latitude: location.degreesLatitude,
            longitude: location.degreesLongitude,
            name: content.locationMessage?.name ?? undefined,
            address: content.locationMessage?.address ?? undefined,
          }
        : undefined,
    contacts,
    replyTo: contextInfo?.stanzaId ?? undefined,
    mentions: mentions.length > 0 ? mentions : undefined,
    forwarded: contextInfo?.isForwarded ? true : undefined,
    sentAt: timestampIso(message.messageTimestamp, receivedAt),
    receivedAt: receivedAt.toISOString(),
  };
}

function contextOf(content: proto.IMessage, type: keyof proto.IMessage | undefined): proto.IContextInfo | undefined {
  if (!type || type === 'conversation') return undefined;
  const inner: unknown = content[type];
  if (typeof inner === 'object' && inner !== null && 'contextInfo' in inner) {
    return (inner as { contextInfo?: proto.IContextInfo | null }).contextInfo ?? undefined;
  }
  return undefined;
}
