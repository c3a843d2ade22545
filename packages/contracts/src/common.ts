import { z } from 'zod';
import { Channel, Language } from './taxonomy.js';

/** A non-empty string with surrounding white space removed. */
export const NonEmpty = z.string().trim().min(1, 'must not be empty');

/** Every job carries the id of the inbound message that started its story. */
export const CorrelationId = NonEmpty.max(256);

export const IsoDateTime = z.iso.datetime({ offset: true });

/**
 * Where an answer goes: the chat a story started in. Carried by every request that ends
 * with a message to the customer, so the producing service never has to look it up.
 */
export const ReplyTarget = z.object({
  channel: Channel,
  /** wa_id (or business-scoped user id) for `cloud`, group JID for `group`. */
  chatId: NonEmpty,
  /** Group chats: the reporter's JID, mentioned in the answer. */
  mention: NonEmpty.optional(),
  /** The message the answer quotes or replies to. */
  replyToMessageId: NonEmpty.optional(),
  language: Language.default('es'),
});
export type ReplyTarget = z.infer<typeof ReplyTarget>;
export type ReplyTargetInput = z.input<typeof ReplyTarget>;
