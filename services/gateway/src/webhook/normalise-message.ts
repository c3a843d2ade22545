import type { InboundMessage, InboundType } from '@helpline/contracts';
import { INBOUND_TYPES } from '@helpline/contracts';
import { asArray, asNumber, asObject, asString, asText, type JsonObject, secondsToIso } from './json-reader.js';

/** One entry of `value.contacts`: who sent the messages of this change. */
interface SenderContact {
  waId?: string;
  userId?: string;
  name?: string;
  username?: string;
}

export interface NormaliseContext {
  /** `value.contacts` of the change the message came in. */
  contacts: unknown;
  /** `value.errors`: Meta puts the reason there when it could not build a message's body. */
  changeErrors?: unknown;
  receivedAt: Date;
}

export type NormaliseResult = { ok: true; message: InboundMessage } | { ok: false; reason: string };

const KNOWN_TYPES = new Set<string>(INBOUND_TYPES);

function readContacts(raw: unknown): SenderContact[] {
  return asArray(raw).map((c) => {
    const o = asObject(c) ?? {};
    const profile = asObject(o.profile) ?? {};
    return {
      waId: asText(o.wa_id),
      userId: asText(o.user_id),
      name: asText(profile.name),
      username: asText(profile.username),
    };
  });
}

/**
 * The sender: the phone (`from`) when WhatsApp disclosed it, else the business-scoped user
 * id (`from_user_id`, or the change's contact when the message names no sender at all, as
 * for users known only by a username).
 */
function identifySender(msg: JsonObject, contacts: SenderContact[]) {
  const from = asText(msg.from);
  const fromUserId = asText(msg.from_user_id);
  const contact =
    contacts.find((c) => (from && c.waId === from) || (fromUserId && c.userId === fromUserId)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  const id = from ?? fromUserId ?? contact?.waId ?? contact?.userId;
  const phoneCandidate = from ?? contact?.waId;
  const senderPhone = phoneCandidate && /^\d{6,15}$/.test(phoneCandidate) ? phoneCandidate : undefined;
  return { id, senderPhone, senderName: contact?.name ?? contact?.username };
}

function media(body: JsonObject | undefined): NonNullable<InboundMessage['media']> | undefined {
  if (!body) return undefined;
  const voice = typeof body.voice === 'boolean' ? body.voice : undefined;
  const animated = typeof body.animated === 'boolean' ? body.animated : undefined;
  return {
    id: asText(body.id),
    url: asText(body.url) ?? asText(body.link),
    mimeType: asText(body.mime_type),
    sha256: asText(body.sha256),
    caption: asText(body.caption),
    filename: asText(body.filename),
    voice,
    animated,
  };
}

function errorsOf(raw: unknown): InboundMessage['errors'] {
  const list = asArray(raw)
    .map((e) => asObject(e))
    .filter((e): e is JsonObject => e !== undefined)
    .map((e) => ({
      code: Math.trunc(asNumber(e.code) ?? 0),
      title: asText(e.title),
      message: asText(e.message),
      details: asText(asObject(e.error_data)?.details) ?? asText(e.details),
    }));
  return list.length > 0 ? list : undefined;
}

type Body = Partial<InboundMessage> & { text: string; type: InboundType };

/** The type-specific part of a message: its text and the structure that type carries. */
function body(rawType: string, msg: JsonObject): Body {
  const part = asObject(msg[rawType]);
  switch (rawType) {
    case 'text':
      return { type: 'text', text: asString(part?.body) ?? '' };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const m = media(part);
      return { type: rawType, text: m?.caption ?? '', media: m };
    }
    case 'location': {
      const latitude = asNumber(part?.latitude);
      const longitude = asNumber(part?.longitude);
      const name = asText(part?.name);
      const address = asText(part?.address);
      const location =
        latitude !== undefined && longitude !== undefined
          ? { latitude, longitude, name, address, url: asText(part?.url) }
          : undefined;
      return { type: 'location', text: [name, address].filter(Boolean).join(', '), location };
    }
    case 'contacts': {
      const contacts = asArray(msg.contacts).map((c) => {
        const o = asObject(c) ?? {};
        const name = asObject(o.name);
        return {
          name: asText(name?.formatted_name) ?? asText(name?.first_name),
          phones: asArray(o.phones)
            .map((p) => asText(asObject(p)?.phone) ?? asText(asObject(p)?.wa_id))
            .filter((p): p is string => p !== undefined),
        };
      });
      return {
        type: 'contacts',
        text: contacts
          .map((c) => c.name)
          .filter(Boolean)
          .join(', '),
        contacts,
      };
    }
    case 'interactive':
      return interactive(part);
    case 'button': {
      const title = asString(part?.text) ?? '';
      return { type: 'button', text: title, reply: { kind: 'quick_reply', id: asText(part?.payload), title } };
    }
    case 'reaction': {
      const emoji = asText(part?.emoji);
      return {
        type: 'reaction',
        text: emoji ?? '',
        reaction: { messageId: asString(part?.message_id) ?? '', emoji, removed: emoji === undefined },
      };
    }
    case 'order': {
      const items = asArray(part?.product_items).map((i) => {
        const o = asObject(i) ?? {};
        return {
          productId: asString(o.product_retailer_id) ?? '',
          // A quantity or price Meta wrote as a non-numeric string is kept as 0, not a crash.
          quantity: asNumber(o.quantity) ?? 0,
          price: asNumber(o.item_price) ?? 0,
          currency: asString(o.currency) ?? '',
        };
      });
      const text = asString(part?.text) ?? '';
      return { type: 'order', text, order: { catalogId: asText(part?.catalog_id), text: text || undefined, items } };
    }
    case 'system':
      return { type: 'system', text: asString(part?.body) ?? '' };
    case 'unsupported':
      return { type: 'unsupported', text: '' };
    case 'revoke':
      return { type: 'revoke', text: '', replyTo: asText(part?.original_message_id) };
    case 'edit': {
      // The edited message travels inside; its new text is what the customer now says.
      const inner = asObject(part?.message);
      const innerType = asText(inner?.type);
      const edited = inner && innerType && innerType !== 'edit' ? body(innerType, inner) : undefined;
      return {
        type: 'edit',
        text: edited?.text ?? '',
        media: edited?.media,
        replyTo: asText(part?.original_message_id),
      };
    }
    default:
      return {
        type: KNOWN_TYPES.has(rawType) && rawType !== 'unknown' ? (rawType as InboundType) : 'unknown',
        text: '',
      };
  }
}

function interactive(part: JsonObject | undefined): Body {
  const kind = asText(part?.type);
  const chosen = kind ? asObject(part?.[kind]) : undefined;
  if (kind === 'button_reply' || kind === 'list_reply') {
    const title = asString(chosen?.title) ?? '';
    return {
      type: 'interactive',
      text: title,
      reply: { kind, id: asText(chosen?.id), title, description: asText(chosen?.description) },
    };
  }
  if (kind === 'nfm_reply') {
    const raw = asString(chosen?.response_json);
    let response: unknown = raw;
    if (raw !== undefined) {
      try {
        response = JSON.parse(raw);
      } catch {
        // Kept as the string it came as: a Flow answer that does not parse is still an answer.
      }
    }
    return {
      type: 'interactive',
      text: asString(chosen?.body) ?? '',
      reply: { kind: 'nfm_reply', title: asText(chosen?.name), response },
    };
  }
  // No interactive object (Meta sends `errors` beside it), or a kind added after this code.
  return { type: 'interactive', text: '' };
}

function referral(raw: unknown): InboundMessage['referral'] {
  const r = asObject(raw);
  if (!r) return undefined;
  return {
    sourceUrl: asText(r.source_url),
    sourceType: asText(r.source_type),
    sourceId: asText(r.source_id),
    headline: asText(r.headline),
    body: asText(r.body),
    ctwaClid: asText(r.ctwa_clid),
  };
}

/** Removes undefined members so the stored job carries only what WhatsApp sent. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * One Cloud API message (`value.messages[i]`) as an InboundMessage. Never throws: a type
 * not known here is kept as `unknown` with its raw type; only a message with no id or no
 * identifiable sender is refused, with the reason.
 */
export function normaliseMessage(raw: unknown, ctx: NormaliseContext): NormaliseResult {
  const msg = asObject(raw);
  if (!msg) return { ok: false, reason: 'message is not an object' };
  const id = asText(msg.id);
  if (!id) return { ok: false, reason: 'message has no id' };
  const sender = identifySender(msg, readContacts(ctx.contacts));
  if (!sender.id) return { ok: false, reason: 'message names no sender (from, from_user_id or contacts)' };

  const rawType = asText(msg.type) ?? 'unknown';
  const b = body(rawType, msg);
  const context = asObject(msg.context);
  const forwarded = context?.forwarded === true || context?.frequently_forwarded === true ? true : undefined;
  const media = b.media ? compact(b.media) : undefined;

  const message: InboundMessage = compact({
    ...b,
    id,
    correlationId: id,
    channel: 'cloud' as const,
    chatId: sender.id,
    from: sender.id,
    senderPhone: sender.senderPhone,
    senderName: sender.senderName,
    rawType,
    media,
    location: b.location ? compact(b.location) : undefined,
    reply: b.reply ? compact(b.reply) : undefined,
    reaction: b.reaction ? compact(b.reaction) : undefined,
    referral: referral(msg.referral),
    replyTo: b.replyTo ?? asText(context?.id),
    forwarded,
    errors: errorsOf(msg.errors) ?? errorsOf(ctx.changeErrors),
    sentAt: secondsToIso(msg.timestamp, ctx.receivedAt),
    receivedAt: ctx.receivedAt.toISOString(),
    history: [],
  });
  if (message.referral) message.referral = compact(message.referral);
  return { ok: true, message };
}
