import { setTimeout as sleep } from 'node:timers/promises';
import {
  CONVERSATION_STREAM_FIELD,
  type ConversationEvent,
  ConversationEvent as EventSchema,
  type NoticeSkipReason,
} from '@helpline/contracts';
import { acknowledgeStreamEntries, type Logger, type Redis } from '@helpline/runtime';
import { BROADCAST_PURPOSE, parseRecipientJobId } from './broadcast-message.js';
import type { BroadcastStore, RecipientState, RecipientUpdate } from './broadcast-store.js';

type StreamEntry = [id: string, fields: string[] | null];

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
      else unnamed.push(event);
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
  /** A connection of its own: XREADGROUP blocks it. */
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  store: BroadcastStore;
  logger: Logger;
  batchSize?: number;
  blockMs?: number;
  /** Entries a dead consumer held this long are taken over. */
  claimIdleMs?: number;
  /** Called with how many recipients each batch changed (metrics). */
  onApplied?: (changed: number) => void;
}

export interface BroadcastEventReader {
  start(): void;
  stop(): Promise<void>;
  /** Reads until nothing is left for this consumer (tests, bench). */
  drain(): Promise<number>;
}

/**
 * The broadcast report's reader of the conversation event stream, in a consumer group of
 * its own beside the desk's: it sees every event, applies what concerns broadcasts to
 * their recipients in PostgreSQL, then acknowledges (and deletes what no other group still
 * needs). A crash re-reads its pending entries; applying a fact twice changes nothing.
 */
export function createBroadcastEventReader(options: BroadcastEventReaderOptions): BroadcastEventReader {
  const { redis, stream, group, consumer, logger } = options;
  const batchSize = options.batchSize ?? 200;
  let loop: Promise<void> | undefined;
  let stopping = false;
  let ownPendingFirst = true;
  let lastClaimAt = 0;

  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('BUSYGROUP')) throw error;
    }
  }

  async function read(id: string, block: boolean): Promise<StreamEntry[]> {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', batchSize];
    if (block) args.push('BLOCK', options.blockMs ?? 2_000);
    args.push('STREAMS', stream, id);
    const reply = (await (redis.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(...args)) as
      | [string, StreamEntry[]][]
      | null;
    return reply?.[0]?.[1] ?? [];
  }

  async function next(block: boolean): Promise<StreamEntry[]> {
    if (ownPendingFirst) {
      const own = await read('0', false);
      if (own.length > 0) return own;
      ownPendingFirst = false;
    }
    if (Date.now() - lastClaimAt > 30_000) {
      lastClaimAt = Date.now();
      const reply = (await redis.xautoclaim(
        stream,
        group,
        consumer,
        options.claimIdleMs ?? 60_000,
        '0-0',
        'COUNT',
        batchSize,
      )) as [string, StreamEntry[]];
      if ((reply[1] ?? []).length > 0) return reply[1];
    }
    return read('>', block);
  }

  function parse(entries: readonly StreamEntry[]): ConversationEvent[] {
    const events: ConversationEvent[] = [];
    for (const [, fields] of entries) {
      if (!Array.isArray(fields)) continue;
      const at = fields.indexOf(CONVERSATION_STREAM_FIELD);
      if (at < 0 || at % 2 !== 0) continue;
      try {
        const parsed = EventSchema.safeParse(JSON.parse(fields[at + 1] ?? ''));
        // Events of other kinds, or of a newer version, are the desk's business (it keeps the rejects).
        if (parsed.success) events.push(parsed.data);
      } catch {
        // Not JSON: the desk sets it aside; nothing here for a broadcast.
      }
    }
    return events;
  }

  async function step(block: boolean): Promise<number> {
    const entries = await next(block);
    if (entries.length === 0) return 0;
    const updates = await updatesFrom(parse(entries), options.store);
    const changed = await options.store.apply(updates);
    options.onApplied?.(changed);
    await acknowledgeStreamEntries(
      redis,
      stream,
      group,
      entries.map(([id]) => id),
    );
    return entries.length;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        if (failures > 0) await ensureGroup();
        await step(true);
        failures = 0;
      } catch (error) {
        if (stopping) break;
        failures += 1;
        ownPendingFirst = true;
        if (failures === 1 || failures % 20 === 0) {
          logger.warn({ err: error, failures }, 'reading broadcast events failed; the batch will be read again');
        }
        await sleep(Math.min(100 * 2 ** Math.min(failures, 6), 5_000));
      }
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = ensureGroup()
        .catch((error: unknown) => logger.warn({ err: error }, 'broadcast event group not created yet; retrying'))
        .then(run);
    },
    async stop() {
      stopping = true;
      redis.disconnect();
      await loop;
      loop = undefined;
    },
    async drain() {
      await ensureGroup();
      let total = 0;
      for (;;) {
        const n = await step(false);
        if (n === 0) return total;
        total += n;
      }
    },
  };
}
