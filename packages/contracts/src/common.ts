import { z } from 'zod';
import { Identifier, Text } from './text.js';
import { Channel, Language } from './taxonomy.js';

/** Non-empty text with surrounding white space removed; lone surrogates repaired (text.ts). */
export const NonEmpty = Text.trim().min(1, 'must not be empty');

/** A non-empty identifier with surrounding white space removed; ill-formed Unicode refused (text.ts). */
export const NonEmptyId = Identifier.trim().min(1, 'must not be empty');

/** Every job carries the id of the inbound message that started its story. */
export const CorrelationId = NonEmptyId.max(256);

export const IsoDateTime = z.iso.datetime({ offset: true });

/**
 * The `:chatId` of the staff routes over conversations (the gateway's live ones, the desk's
 * archive): one chat id as its channel gave it, trimmed, ill-formed Unicode refused.
 */
export const ChatIdParams = z.object({
  chatId: Identifier.trim().min(1).max(256).describe('the chat id (wa_id for Cloud API chats)'),
});

/**
 * The `:phone` of the personal-data erasure routes every service answers (Ley 1581): 7 to 15
 * digits, optionally after +, given back as digits only.
 */
export const ErasurePhoneParams = z.object({
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9]{7,15}$/, 'expected the phone number as 7 to 15 digits, optionally after +')
    .transform((raw) => raw.replace(/\D/g, '')),
});

/**
 * `?customer_ids=` of the erasure routes: the customer ids the caller knows belong to the
 * phone (comma separated), erased even when the service's own lookup no longer finds them.
 */
export const ErasureCustomerIdsQuery = z.object({
  customer_ids: z
    .string()
    .trim()
    .max(2_000)
    .optional()
    .describe('customer ids known to belong to the phone (comma separated)')
    .transform((raw, ctx) => {
      const ids = (raw ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id.length > 0);
      for (const id of ids) {
        if (id.length > 64 || !Identifier.safeParse(id).success) {
          ctx.addIssue({ code: 'custom', message: `not a customer id: ${id.slice(0, 64)}` });
          return z.NEVER;
        }
      }
      return ids;
    }),
});

/**
 * Where an answer goes: the chat a story started in. Carried by every request that ends
 * with a message to the customer, so the producing service never has to look it up.
 */
export const ReplyTarget = z.object({
  channel: Channel,
  /** wa_id (or business-scoped user id) for `cloud`, group JID for `group`. */
  chatId: NonEmptyId,
  /** Group chats: the reporter's JID, mentioned in the answer. */
  mention: NonEmptyId.optional(),
  /** The message the answer quotes or replies to. */
  replyToMessageId: NonEmptyId.optional(),
  language: Language.default('es'),
});
export type ReplyTarget = z.infer<typeof ReplyTarget>;
export type ReplyTargetInput = z.input<typeof ReplyTarget>;
