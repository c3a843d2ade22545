import type { InboundMessage, InboundMedia, InboundType } from '@helpline/contracts';
import type { FormParam } from './twilio-signature.js';

/**
 * Twilio's webhook parameters that this normalisation reads (Twilio's "request to your
 * webhook URL" reference, WhatsApp fields included). Every other parameter is carried in
 * `channelFields`, so a field Twilio adds tomorrow reaches the pipeline, never a crash.
 */
const KNOWN = new Set([
  'MessageSid',
  'SmsSid',
  'SmsMessageSid',
  'AccountSid',
  'MessagingServiceSid',
  'From',
  'To',
  'Body',
  'NumMedia',
  'NumSegments',
  'ProfileName',
  'WaId',
  'Forwarded',
  'FrequentlyForwarded',
  'ButtonText',
  'ButtonPayload',
  'ListId',
  'ListTitle',
  'ListDescription',
  'Latitude',
  'Longitude',
  'Address',
  'Label',
  'ReferralBody',
  'ReferralHeadline',
  'ReferralSourceId',
  'ReferralSourceType',
  'ReferralSourceUrl',
  'ReferralCtwaClid',
  'OriginalRepliedMessageSid',
  'MessageType',
  'SmsStatus',
  'ApiVersion',
]);
const MEDIA_FIELD = /^Media(Url|ContentType)\d+$/;

/** Most unmapped fields carried, and their longest value: a webhook is not a storage. */
const MAX_CARRIED = 40;
const MAX_CARRIED_VALUE = 4096;

/** The types Twilio names in `MessageType` that map one to one. */
const SAME_TYPES = new Set<InboundType>([
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'button',
  'interactive',
  'contacts',
  'reaction',
  'unsupported',
]);

export type TwilioNormaliseResult = { ok: true; message: InboundMessage } | { ok: false; reason: string };

/** The first value of each parameter by name (Twilio sends each once). */
function firstValues(params: readonly FormParam[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of params) if (!map.has(name)) map.set(name, value);
  return map;
}

/** `whatsapp:+573001234567` -> `573001234567`; undefined when it holds no digits. */
export function whatsappDigits(address: string | undefined): string | undefined {
  const digits = address?.replace(/^whatsapp:/i, '').replace(/\D/g, '');
  return digits ? digits : undefined;
}

function mediaType(contentType: string | undefined): InboundType {
  const major = contentType?.split('/')[0]?.toLowerCase();
  if (major === 'image') return contentType?.toLowerCase() === 'image/webp' ? 'sticker' : 'image';
  if (major === 'video') return 'video';
  if (major === 'audio') return 'audio';
  return 'document';
}

/**
 * Media id for the gateway's media endpoint: the message SID and the media SID Twilio's
 * media URL names (`.../Messages/{MM...}/Media/{ME...}`), joined by `-` (SIDs are letters
 * and digits, so the id splits back unambiguously); absent when the URL has another shape.
 */
export function twilioMediaId(url: string): string | undefined {
  const match = /\/Messages\/([A-Za-z0-9]+)\/Media\/([A-Za-z0-9]+)\/?$/.exec(url);
  return match ? `${match[1]}-${match[2]}` : undefined;
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** A parameter's value, undefined when absent or empty. */
type Field = (name: string) => string | undefined;

/** The attachments Twilio lists (`MediaUrl<n>`, `MediaContentType<n>`), in order. */
function mediaOf(get: Field): InboundMedia[] {
  const media: InboundMedia[] = [];
  const numMedia = Math.max(0, Math.trunc(number(get('NumMedia')) ?? 0));
  for (let i = 0; i < numMedia; i++) {
    const url = get(`MediaUrl${i}`);
    if (!url) continue;
    const mediaId = twilioMediaId(url);
    const mimeType = get(`MediaContentType${i}`);
    media.push({ ...(mediaId ? { id: mediaId } : {}), url, ...(mimeType ? { mimeType } : {}) });
  }
  return media;
}

/** Twilio's own `MessageType` when it names one of ours; else what the fields carry. */
function typeOf(get: Field, media: readonly InboundMedia[], hasLocation: boolean): InboundType {
  const rawType = get('MessageType');
  if (rawType && SAME_TYPES.has(rawType as InboundType)) return rawType as InboundType;
  if (rawType) return 'unknown';
  if (get('ListId')) return 'interactive';
  if (get('ButtonPayload')) return 'button';
  if (hasLocation) return 'location';
  if (media[0]) return mediaType(media[0].mimeType);
  return 'text';
}

/** A choice from a list, or a button; its title is the message's text. */
function addReply(message: InboundMessage, get: Field, body: string): void {
  const listId = get('ListId');
  const buttonPayload = get('ButtonPayload');
  if (listId) {
    const title = get('ListTitle');
    message.reply = {
      kind: 'list_reply',
      id: listId,
      ...(title ? { title } : {}),
      ...(get('ListDescription') ? { description: get('ListDescription') } : {}),
    };
    message.text = title ?? body;
  } else if (buttonPayload || get('ButtonText')) {
    const title = get('ButtonText');
    // Quick replies of a session message come back as interactive; a template's as a button.
    message.reply = {
      kind: get('MessageType') === 'interactive' ? 'button_reply' : 'quick_reply',
      ...(buttonPayload ? { id: buttonPayload } : {}),
      ...(title ? { title } : {}),
    };
    message.text = title ?? body;
  }
}

/** The click-to-WhatsApp ad the chat came from, when Twilio names one. */
function referralOf(get: Field): InboundMessage['referral'] {
  const referral = {
    sourceUrl: get('ReferralSourceUrl'),
    sourceType: get('ReferralSourceType'),
    sourceId: get('ReferralSourceId'),
    headline: get('ReferralHeadline'),
    body: get('ReferralBody'),
    ctwaClid: get('ReferralCtwaClid'),
  };
  if (!Object.values(referral).some((v) => v !== undefined)) return undefined;
  return Object.fromEntries(Object.entries(referral).filter(([, v]) => v !== undefined));
}

/** The parameters this does not read, bounded in number and length (see KNOWN). */
function carriedFields(p: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const carried: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of p) {
    if (KNOWN.has(name) || (MEDIA_FIELD.test(name) && Number(name.replace(/\D/g, '')) === 0)) continue;
    if (count >= MAX_CARRIED || name.length > 128) continue;
    carried[name] = value.slice(0, MAX_CARRIED_VALUE);
    count += 1;
  }
  return count > 0 ? carried : undefined;
}

/**
 * One Twilio webhook (an incoming WhatsApp message) as an `InboundMessage` on channel
 * `twilio`. The chat is the sender's WhatsApp id (`WaId`, else the digits of `From`), the
 * same digits a Cloud API chat is named by. Never throws: what cannot name a message or a
 * sender is refused with a reason that names fields, never their values.
 */
export function normaliseTwilioMessage(params: readonly FormParam[], receivedAt: Date): TwilioNormaliseResult {
  const p = firstValues(params);
  const get: Field = (name) => {
    const value = p.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  const id = get('MessageSid') ?? get('SmsMessageSid') ?? get('SmsSid');
  if (!id) return { ok: false, reason: 'MessageSid is missing' };
  const chatId = whatsappDigits(get('WaId')) ?? whatsappDigits(get('From'));
  if (!chatId) return { ok: false, reason: 'neither WaId nor From names a WhatsApp number' };

  const body = p.get('Body') ?? '';
  const rawType = get('MessageType');
  const media = mediaOf(get);
  const latitude = number(get('Latitude'));
  const longitude = number(get('Longitude'));
  const hasLocation = latitude !== undefined && longitude !== undefined;
  const type = typeOf(get, media, hasLocation);

  const message: InboundMessage = {
    id,
    correlationId: id,
    channel: 'twilio',
    chatId,
    from: chatId,
    senderPhone: chatId,
    text: body,
    type,
    ...(rawType ? { rawType } : {}),
    sentAt: receivedAt.toISOString(),
    receivedAt: receivedAt.toISOString(),
    history: [],
  };
  if (get('ProfileName')) message.senderName = get('ProfileName');
  if (media[0]) {
    // The first attachment is the message's media; Body is its caption.
    message.media = { ...media[0], ...(body && type !== 'text' ? { caption: body } : {}) };
  }
  if (hasLocation) {
    message.location = {
      latitude,
      longitude,
      ...(get('Label') ? { name: get('Label') } : {}),
      ...(get('Address') ? { address: get('Address') } : {}),
    };
    if (!body) message.text = [get('Label'), get('Address')].filter(Boolean).join(', ');
  }
  addReply(message, get, body);
  const repliedTo = get('OriginalRepliedMessageSid');
  if (repliedTo) message.replyTo = repliedTo;
  if (get('Forwarded') === 'true' || get('FrequentlyForwarded') === 'true') message.forwarded = true;
  const referral = referralOf(get);
  if (referral) message.referral = referral;
  const carried = carriedFields(p);
  if (carried) message.channelFields = carried;
  return { ok: true, message };
}
