import { CONVERSATION_STREAM_FIELD } from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';

/** Entries read per XRANGE while looking for a chat's events. */
const PAGE = 500;

/**
 * Deletes from the event stream the events of a chat the desk has not archived yet (the
 * desk deletes what it archives), so that an erased chat's texts do not wait in Redis.
 * Its consent events stay: they are the evidence the law asks to keep (the desk archives
 * them); so do earlier erasure marks, which the desk still has to act on. Returns how many entries went. An operator's request: the stream is read whole,
 * a page at a time, which is cheap while the desk keeps up (the stream is its backlog).
 */
export async function forgetChatEvents(redis: Redis, stream: string, chatId: string): Promise<number> {
  let removed = 0;
  let start = '-';
  for (;;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', PAGE);
    const doomed: string[] = [];
    for (const [id, fields] of page) {
      const at = fields.indexOf(CONVERSATION_STREAM_FIELD);
      const raw = at >= 0 ? fields[at + 1] : undefined;
      if (!raw) continue;
      let event: { chatId?: unknown; type?: unknown };
      try {
        event = JSON.parse(raw) as { chatId?: unknown; type?: unknown };
      } catch {
        continue;
      }
      if (event.chatId === chatId && event.type !== 'consent' && event.type !== 'chat_erased') doomed.push(id);
    }
    if (doomed.length > 0) removed += await redis.xdel(stream, ...doomed);
    if (page.length < PAGE) return removed;
    const last = page[page.length - 1]?.[0] ?? '';
    start = `(${last}`;
  }
}
