import { foldForSearch, storableText } from './fold-text.js';
import type { MessageEvent } from './message-events.js';

/**
 * A message event as its `messages` row, in the column order of the insert in
 * `write-messages.ts`: the customer's (inbound) or one sent to them (outbound).
 */
export function messageRow(event: MessageEvent): unknown[] {
  const m = event.message;
  const text = storableText(m.text);
  if (event.type === 'message_received') {
    const r = event.message;
    return [
      r.id,
      event.channel,
      event.chatId,
      'inbound',
      r.kind,
      text,
      r.mediaId ?? null,
      r.mimeType ?? null,
      null,
      r.id,
      null,
      r.replyTo ?? null,
      r.id,
      r.customerId ?? null,
      r.skipped ?? null,
      event.at,
      foldForSearch(text),
    ];
  }
  const s = event.message;
  return [
    s.id,
    event.channel,
    event.chatId,
    'outbound',
    s.kind,
    text,
    null,
    null,
    s.classification ? JSON.stringify(s.classification) : null,
    s.correlationId,
    s.purpose,
    null,
    s.providerMessageId ?? null,
    s.customerId ?? null,
    null,
    event.at,
    foldForSearch(text),
  ];
}
