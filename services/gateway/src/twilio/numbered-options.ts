import type { InboundMessage } from '@helpline/contracts';
import type { Redis } from 'ioredis';
import { whenReady } from '@helpline/runtime';

/** One numbered choice offered in a text: the reply id it stands for and its title. */
export interface NumberedOption {
  id: string;
  title: string;
  /** `button_reply` for buttons, `list_reply` for list rows. */
  kind: 'button_reply' | 'list_reply';
}

/** The numbered choices last offered to a chat are kept as long as a window lasts. */
const TTL_SECONDS = 24 * 3600;

export interface NumberedOptions {
  /** Remembers the choices just sent to a chat as numbered text (1-based, in order). */
  remember(chatId: string, options: readonly NumberedOption[]): Promise<void>;
  /** Any other message sent to the chat: a number no longer answers the old choices. */
  clear(chatId: string): Promise<void>;
  /**
   * A text that is only a number ("3", " 3. ") answering the choices last offered becomes
   * the reply to that choice, as if the customer had tapped it; anything else is unchanged.
   */
  resolve(message: InboundMessage): Promise<InboundMessage>;
  /** Drops the chat's choices (a data-removal request); true when there were some. */
  forget(chatId: string): Promise<boolean>;
}

const NUMBER_ONLY = /^\s*(\d{1,2})\s*[.)]?\s*$/;

/**
 * Where Twilio cannot show buttons or a list, the sender writes the choices as numbered
 * lines; this store keeps what each number meant, per chat, so that the customer's "3" is
 * read by the conversation exactly like a tapped row (`reply.id`).
 */
export function createNumberedOptions(redis: Redis, keyPrefix: string): NumberedOptions {
  const key = (chatId: string) => `${keyPrefix}:options:${chatId}`;
  return {
    async remember(chatId, options) {
      await whenReady(redis);
      await redis.set(key(chatId), JSON.stringify(options), 'EX', TTL_SECONDS);
    },
    async clear(chatId) {
      await whenReady(redis);
      await redis.del(key(chatId));
    },
    async forget(chatId) {
      await whenReady(redis);
      return (await redis.del(key(chatId))) > 0;
    },
    async resolve(message) {
      if (message.type !== 'text' || message.reply) return message;
      const match = NUMBER_ONLY.exec(message.text);
      if (!match) return message;
      await whenReady(redis);
      const stored = await redis.get(key(message.chatId));
      if (!stored) return message;
      let options: NumberedOption[];
      try {
        options = JSON.parse(stored) as NumberedOption[];
      } catch {
        return message;
      }
      const chosen = options[Number(match[1]) - 1];
      if (!chosen) return message;
      return {
        ...message,
        type: 'interactive',
        text: chosen.title,
        reply: { kind: chosen.kind, id: chosen.id, title: chosen.title },
      };
    },
  };
}
