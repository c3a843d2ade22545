import type { HistoryTurn, InboundMessage } from '@helpline/contracts';
import type { LogEntry } from '../chat-records.js';

/** The log entry of a customer's message (text, media reference; never more than the message carried). */
export function inboundEntry(
  message: InboundMessage,
  customerId: string | undefined,
  skipped?: LogEntry['skipped'],
): LogEntry {
  return {
    id: message.id,
    direction: 'inbound',
    type: message.type,
    text: message.text,
    at: message.receivedAt,
    status: 'received',
    ...(customerId ? { customerId } : {}),
    ...(skipped ? { skipped } : {}),
    // The reference staff (and GET /api/media) fetch the audio, image or document by.
    ...(message.media?.id ? { mediaId: message.media.id } : {}),
  };
}

/** An entry as a turn of the history the classifier reads; none for an entry without text. */
export function toTurn(entry: LogEntry): HistoryTurn | undefined {
  // A voice note has no text of its own: its transcript stands for it.
  const text = entry.text || entry.transcript;
  if (!text) return undefined;
  return { role: entry.direction === 'inbound' ? 'customer' : 'bot', text, at: entry.at };
}
