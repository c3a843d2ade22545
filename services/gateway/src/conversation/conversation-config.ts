import { envInt } from '@helpline/runtime';
import { z } from 'zod';

/**
 * The conversation's slice of the gateway's environment. Spread into the gateway's config
 * shape, so one parse in main validates it with everything else.
 */
export const conversationConfigShape = {
  /**
   * Version of the privacy notice (Ley 1581 de 2012). A consent given to another version
   * does not count: changing it asks every chat again on its next message. It travels in
   * the accept button's id, hence the narrow alphabet.
   */
  PRIVACY_NOTICE_VERSION: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,32}$/, 'expected 1 to 32 letters, digits, dots, dashes or underscores')
    .default('1'),
  /** How long a handoff to a person pauses the bot when staff never resume the chat. */
  HANDOFF_TIMEOUT_HOURS: envInt(24, { min: 1, max: 24 * 30 }),
  /** Messages one chat may send in a minute before it gets one notice and is no longer classified. */
  RATE_LIMIT_PER_MINUTE: envInt(50, { min: 1, max: 10_000 }),
  /** Messages kept per chat in the conversation log (oldest dropped first). */
  CONVERSATION_HISTORY_MAX: envInt(200, { min: 10, max: 10_000 }),
  /** A chat silent this long is forgotten: its log, state and consent expire. */
  CONVERSATION_TTL_DAYS: envInt(30, { min: 1, max: 3650 }),
  /**
   * Cap of the conversation event stream the desk archives (`XADD MAXLEN ~`). A guard
   * against a desk gone for good, never a retention: the stream holds only what the desk
   * has not archived yet, and an alert fires at half the cap.
   */
  CONVERSATION_STREAM_MAXLEN: envInt(1_000_000, { min: 1000, max: 100_000_000 }),
};

export const conversationConfigSchema = z.object(conversationConfigShape);
export type ConversationConfig = z.infer<typeof conversationConfigSchema>;
