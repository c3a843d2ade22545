import { type Redis, withDeadline } from '@helpline/runtime';

/** What an answer needs to quote a group message: who wrote it and a bit of what. */
export interface QuoteRecord {
  group: string;
  /** The participant JID as the group addresses it (often a LID). */
  participant: string;
  /** The participant's phone (digits), when known. */
  phone?: string;
  /** The start of the text, for the quote's preview. */
  text: string;
}

const QUOTE_TEXT_CHARS = 200;
const QUOTE_TTL_SECONDS = 14 * 24 * 3600;

/**
 * Remembers, per received message id, what quoting it takes. An OutboundMessage carries only
 * the id it replies to; WhatsApp shows a quote only with the quoted sender and content.
 */
export function createQuoteStore(redis: Redis, keyPrefix: string, timeoutMs = 3_000) {
  const key = (messageId: string): string => `${keyPrefix}quote:${messageId}`;
  return {
    async remember(messageId: string, record: QuoteRecord): Promise<void> {
      const value: QuoteRecord = { ...record, text: record.text.slice(0, QUOTE_TEXT_CHARS) };
      await withDeadline(
        redis.set(key(messageId), JSON.stringify(value), 'EX', QUOTE_TTL_SECONDS),
        timeoutMs,
        'storing a quote record',
      );
    },
    async recall(messageId: string): Promise<QuoteRecord | undefined> {
      const text = await withDeadline(redis.get(key(messageId)), timeoutMs, 'reading a quote record');
      if (!text) return undefined;
      const parsed = JSON.parse(text) as Partial<QuoteRecord>;
      if (typeof parsed.participant !== 'string' || typeof parsed.group !== 'string') return undefined;
      return {
        group: parsed.group,
        participant: parsed.participant,
        phone: typeof parsed.phone === 'string' ? parsed.phone : undefined,
        text: typeof parsed.text === 'string' ? parsed.text : '',
      };
    },
  };
}
export type QuoteStore = ReturnType<typeof createQuoteStore>;
