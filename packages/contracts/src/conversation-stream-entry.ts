import { CONVERSATION_STREAM_FIELD, ConversationEvent } from './conversation-event.js';

/** A stream entry whose event field is no conversation event of any known version. */
export interface RejectedConversationEntry {
  id: string;
  /** Why, naming up to three fields (`message.text: ...`), or `not JSON`. */
  reason: string;
  /** The field's text as it was (empty when the entry has no event field). */
  raw: string;
}

export interface DecodedConversationEntries {
  /** The events, in stream order. */
  events: ConversationEvent[];
  rejected: RejectedConversationEntry[];
}

/**
 * Reads conversation events out of stream entries (`[field, value, ...]`), as every reader of
 * the stream does. An entry that is not an event can never become one, so it is returned
 * apart rather than thrown: the reader acknowledges it with its batch, and one bad entry
 * never holds the stream up (the desk keeps the rejects for an operator; other readers leave
 * them to it).
 */
export function decodeConversationEntries(
  entries: readonly { id: string; fields: readonly string[] }[],
): DecodedConversationEntries {
  const events: ConversationEvent[] = [];
  const rejected: RejectedConversationEntry[] = [];
  for (const { id, fields } of entries) {
    const at = fields.indexOf(CONVERSATION_STREAM_FIELD);
    // Field names sit at even positions: an odd match is some other field's value.
    const raw = at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? '') : '';
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      rejected.push({ id, reason: 'not JSON', raw });
      continue;
    }
    const parsed = ConversationEvent.safeParse(json);
    if (parsed.success) {
      events.push(parsed.data);
      continue;
    }
    const reason = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`)
      .join('; ');
    rejected.push({ id, reason, raw });
  }
  return { events, rejected };
}
