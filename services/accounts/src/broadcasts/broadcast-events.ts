import { type ConversationEvent, decodeConversationEntries, type NoticeSkipReason } from '@helpline/contracts';
import { createStreamGroupReader, type Logger, type Redis, type StreamGroupReader } from '@helpline/runtime';
import { BROADCAST_PURPOSE, parseRecipientJobId } from './broadcast-message.js';
import type { BroadcastStore, RecipientState, RecipientUpdate } from './broadcast-store.js';

const SKIPPED: Record<NoticeSkipReason, RecipientState> = {
  opted_out: 'skipped_opted_out',
  no_consent: 'skipped_no_consent',
  window_closed: 'skipped_window',
};

/**
 * What the gateway's conversation events say about broadcast recipients: `message_sent`
 * (sent, with Meta's message id), `delivery_status` (delivered, read, failed with Meta's
 * error code) and `notice_skipped` (opted out, no consent, window closed). Statuses name
 * the outbound job id when Meta returns the callback data; otherwise they are matched by
 * Meta's message id.
 */
export async function updatesFrom(
  events: readonly ConversationEvent[],
  store: Pick<BroadcastStore, 'byProviderMessageId'>,
): Promise<RecipientUpdate[]> {
  const updates: RecipientUpdate[] = [];
  const unnamed: Extract<ConversationEvent, { type: 'delivery_status' }>[] = [];
  // Meta's ids learnt in this very batch: a status may follow its `message_sent` closely.
  const sentHere = new Map<string, { broadcastId: string; seq: number }>();
  for (const event of events) {
    if (event.type === 'message_sent') {
      if (event.message.purpose !== BROADCAST_PURPOSE) continue;
      const who = parseRecipientJobId(event.message.id);
      if (!who) continue;
      if (event.message.providerMessageId) sentHere.set(event.message.providerMessageId, who);
      updates.push({
        ...who,
        state: 'sent',
        ...(event.message.providerMessageId ? { providerMessageId: event.message.providerMessageId } : {}),
      });
    } else if (event.type === 'notice_skipped') {
      const who = parseRecipientJobId(event.messageId);
      if (!who || !event.notice.broadcastId) continue;
      updates.push({ ...who, state: SKIPPED[event.reason] });
    } else if (event.type === 'delivery_status') {
      if (event.status === 'played') continue;
      const who = parseRecipientJobId(event.messageId);
      if (who) updates.push(statusUpdate(who, event));
      // A status naming another job (every reply's `sent`, `delivered`, `read`) is no
      // broadcast's: only one without callback data needs the look-up by the provider's id.
      else if (event.messageId === undefined) unnamed.push(event);
    }
  }
  if (unnamed.length > 0) {
    const stored = unnamed.filter((e) => !sentHere.has(e.providerMessageId)).map((e) => e.providerMessageId);
    const found = await store.byProviderMessageId([...new Set(stored)]);
    for (const event of unnamed) {
      const who = sentHere.get(event.providerMessageId) ?? found.get(event.providerMessageId);
      if (who) updates.push(statusUpdate(who, event));
    }
  }
  return updates;
}

function statusUpdate(
  who: { broadcastId: string; seq: number },
  event: Extract<ConversationEvent, { type: 'delivery_status' }>,
): RecipientUpdate {
  const state = event.status as 'sent' | 'delivered' | 'read' | 'failed';
  return {
    ...who,
    state,
    providerMessageId: event.providerMessageId,
    ...(state === 'failed'
      ? {
          errorCode: event.error ? String(event.error.code) : 'unknown',
          ...(event.error?.title ? { errorTitle: event.error.title } : {}),
        }
      : {}),
  };
}

export interface BroadcastEventReaderOptions {
  /** A connection of its own (`worker` role): XREADGROUP blocks it, and stop ends it. */
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  store: BroadcastStore;
  logger: Logger;
  batchSize?: number;
  blockMs?: number;
  /**
   * After a part-full batch, wait this long before reading again (`BROADCAST_EVENTS_LINGER_MS`),
   * so a trickle of events is applied in few transactions; the report trails the chats by
   * about this much.
   */
  lingerMs?: number;
  /** Entries a dead consumer held this long are taken over. */
  claimIdleMs?: number;
}

export type BroadcastEventReader = StreamGroupReader;

/**
 * The broadcast report's reader of the conversation event stream: runtime's stream reader,
 * in a consumer group of its own beside the desk's, with a handler that applies what
 * concerns broadcasts to their recipients in PostgreSQL. Entries that are no event are the
 * desk's to keep (it stores the rejects); here they are passed over and acknowledged. A
 * crash re-reads its pending entries; applying a fact twice changes nothing.
 */
export function createBroadcastEventReader(options: BroadcastEventReaderOptions): BroadcastEventReader {
  const { store } = options;
  return createStreamGroupReader({
    ...options,
    batchSize: options.batchSize ?? 200,
    blockMs: options.blockMs ?? 2_000,
    lingerMs: options.lingerMs ?? 0,
    claimIdleMs: options.claimIdleMs ?? 60_000,
    purpose: 'the broadcast report',
    async handle(entries) {
      const { events } = decodeConversationEntries(entries);
      await store.apply(await updatesFrom(events, store));
    },
  });
}
