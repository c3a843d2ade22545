import { z } from 'zod';
import { CorrelationId, IsoDateTime, NonEmptyId } from './common.js';
import { Identifier, Text } from './text.js';
import { Channel, Language } from './taxonomy.js';

/**
 * Normalised message types. `unknown` keeps a type WhatsApp adds after this list was
 * written (its raw name is in `rawType`), so a new type is never a crash.
 */
export const INBOUND_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'unsupported',
  'revoke',
  'edit',
  'unknown',
] as const;
export const InboundType = z.enum(INBOUND_TYPES);
export type InboundType = z.infer<typeof InboundType>;

export const InboundMedia = z.object({
  /** Media id to download from the Graph API (Cloud) or a Baileys media key reference. */
  id: Identifier.optional(),
  url: Text.optional(),
  mimeType: Text.optional(),
  sha256: Text.optional(),
  caption: Text.optional(),
  filename: Text.optional(),
  /** Audio recorded as a voice note. */
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});
export type InboundMedia = z.infer<typeof InboundMedia>;

export const InboundLocation = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: Text.optional(),
  address: Text.optional(),
  url: Text.optional(),
});

/** A reply chosen from buttons or a list, a template quick reply, or a Flow's answer. */
export const InboundReply = z.object({
  kind: z.enum(['button_reply', 'list_reply', 'quick_reply', 'nfm_reply']),
  id: Identifier.optional(),
  title: Text.optional(),
  description: Text.optional(),
  /** nfm_reply: the Flow's answer, parsed from its JSON string when it parses. */
  response: z.unknown().optional(),
});
export type InboundReply = z.infer<typeof InboundReply>;

export const InboundReaction = z.object({
  messageId: Identifier,
  /** Absent or empty when the reaction was removed. */
  emoji: Text.optional(),
  removed: z.boolean(),
});

/** Click-to-WhatsApp ad or product that led the customer to write. */
export const InboundReferral = z.object({
  sourceUrl: Text.optional(),
  sourceType: Text.optional(),
  sourceId: Text.optional(),
  headline: Text.optional(),
  body: Text.optional(),
  ctwaClid: Text.optional(),
});

export const InboundError = z.object({
  code: z.number().int(),
  title: Text.optional(),
  message: Text.optional(),
  details: Text.optional(),
});
export type InboundError = z.infer<typeof InboundError>;

export const HistoryTurn = z.object({
  role: z.enum(['customer', 'bot', 'staff']),
  text: Text,
  at: IsoDateTime,
});
export type HistoryTurn = z.infer<typeof HistoryTurn>;

/** What the gateway knows of the customer when the message is enqueued. */
export const CustomerContext = z.object({
  consent: z.boolean(),
  customerId: Identifier.optional(),
  language: Language.optional(),
});

export const InboundMessage = z.object({
  /** `wamid` (Cloud API) or the Baileys message key id; also the `inbound` job id. */
  id: NonEmptyId,
  correlationId: CorrelationId,
  channel: Channel,
  /** wa_id or business-scoped user id (cloud), group JID (group). */
  chatId: NonEmptyId,
  /** Sender id: the phone number when known, else the user id or username (opaque). */
  from: NonEmptyId,
  /** E.164 digits without `+`, when WhatsApp disclosed them. */
  senderPhone: Identifier.optional(),
  senderName: Text.optional(),
  /** The text a person wrote: body, caption, chosen reply title, ... Empty when none. */
  text: Text.max(65_536),
  type: InboundType,
  /** The type exactly as WhatsApp named it. */
  rawType: Text.optional(),
  media: InboundMedia.optional(),
  location: InboundLocation.optional(),
  reply: InboundReply.optional(),
  reaction: InboundReaction.optional(),
  referral: InboundReferral.optional(),
  /** Shared contacts, as names and phone numbers. */
  contacts: z.array(z.object({ name: Text.optional(), phones: z.array(Text) })).optional(),
  /** Order: catalogue and items (quantities and prices normalised to numbers). */
  order: z
    .object({
      catalogId: Text.optional(),
      text: Text.optional(),
      items: z.array(
        z.object({
          productId: Text,
          quantity: z.number(),
          price: z.number(),
          currency: Text,
        }),
      ),
    })
    .optional(),
  /** The quoted message's id. */
  replyTo: Identifier.optional(),
  /** JIDs mentioned in a group message. */
  mentions: z.array(Identifier).optional(),
  forwarded: z.boolean().optional(),
  /** `unsupported` and `unknown` messages carry Meta's reasons. */
  errors: z.array(InboundError).optional(),
  /**
   * Fields the channel sent that the normalisation does not map (a Twilio webhook parameter
   * added after this was written), carried by name as given. Optional, added after the
   * first release: older jobs have none and still validate.
   */
  channelFields: z.record(z.string().max(128), z.string().max(4096)).optional(),
  /** When WhatsApp says the message was sent. */
  sentAt: IsoDateTime,
  /** When the gateway received it. */
  receivedAt: IsoDateTime,
  customer: CustomerContext.optional(),
  /** The chat's last turns before this one, oldest first, for the classifier's context. */
  history: z.array(HistoryTurn).max(10).default([]),
});
export type InboundMessage = z.infer<typeof InboundMessage>;
export type InboundMessageInput = z.input<typeof InboundMessage>;
