import type { ConversationEvent, ConversationEventOf } from '@helpline/contracts';
import type { Database, DatabaseClient } from '@helpline/runtime';
import { eraseChatArchive } from './erase-chat-archive.js';
import { foldForSearch, storableText } from './fold-text.js';

type Received = ConversationEventOf<'message_received'>;
type Sent = ConversationEventOf<'message_sent'>;
type MessageEvent = Received | Sent;

/**
 * The `kind` of the row a notice held back at send time (`notice_skipped`) becomes: an
 * outbound row the customer never received, shown to staff with status `skipped` and the
 * reason, and left out of the statistics (nothing was said to anyone).
 */
export const HELD_NOTICE_KIND = 'notice_skipped';

/** Statuses move forward only; `failed` is final (the gateway ranks them the same way). */
const STATUS_RANK = { sent: 1, delivered: 2, read: 3, played: 4, failed: 9 } as const;

export interface ArchiveResult {
  /** Events applied now. */
  applied: number;
  /** Events already archived (a batch read again after a crash, a repeated fact). */
  duplicates: number;
}

/**
 * Writes one batch of events in one transaction, each event once: the ids go into
 * `archived_events` first and only the ids that were not there are applied. The caller
 * acknowledges the batch in Redis only after this resolves (after COMMIT), so a crash at
 * any point replays the batch and the replay applies nothing twice.
 *
 * Messages and statuses are written in multi-row statements; a change of a chat's state
 * (handoff, close, erasure) first flushes the messages before it, so order is kept where
 * it matters.
 */
export async function archiveBatch(db: Database, events: readonly ConversationEvent[]): Promise<ArchiveResult> {
  if (events.length === 0) return { applied: 0, duplicates: 0 };
  return db.transaction(async (client) => {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO archived_events (id, chat_id)
       SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [events.map((e) => e.id), events.map((e) => e.chatId)],
      'archive_ids',
    );
    const fresh = new Set(inserted.rows.map((r) => r.id));
    let applied = 0;
    let messages: MessageEvent[] = [];
    const statuses: ConversationEventOf<'delivery_status'>[] = [];
    const consents: ConversationEventOf<'consent'>[] = [];
    let held: ConversationEventOf<'notice_skipped'>[] = [];
    const flushMessages = async () => {
      await writeMessages(client, messages);
      messages = [];
      await writeHeldNotices(client, held);
      held = [];
    };
    for (const event of events) {
      // A fact repeated inside one batch is applied once.
      if (!fresh.delete(event.id)) continue;
      applied += 1;
      switch (event.type) {
        case 'message_received':
        case 'message_sent':
          messages.push(event);
          break;
        case 'delivery_status':
          statuses.push(event);
          break;
        case 'consent':
          consents.push(event);
          break;
        case 'notice_skipped':
          held.push(event);
          break;
        case 'handoff_started':
          await flushMessages();
          await startHandoff(client, event);
          break;
        case 'handoff_ended':
          await flushMessages();
          await endHandoffs(client, event.channel, event.chatId, event.at, event.reason);
          await client.query(
            `UPDATE chats SET state = 'open' WHERE channel = $1 AND chat_id = $2 AND state = 'handoff'`,
            [event.channel, event.chatId],
            'archive_handoff_state',
          );
          break;
        case 'chat_closed':
          await flushMessages();
          await endHandoffs(client, event.channel, event.chatId, event.at, 'closed');
          await client.query(
            `UPDATE chats SET state = 'closed', closed_at = $3 WHERE channel = $1 AND chat_id = $2`,
            [event.channel, event.chatId, event.at],
            'archive_close',
          );
          break;
        case 'chat_erased':
          await flushMessages();
          await writeStatuses(client, statuses.splice(0));
          await eraseChatArchive(client, event.chatId, { keepEventId: event.id });
          break;
      }
    }
    await flushMessages();
    await writeStatuses(client, statuses);
    await writeConsents(client, consents);
    return { applied, duplicates: events.length - applied };
  }, 'archive_batch');
}

interface ChatTouch {
  channel: string;
  chatId: string;
  customerId: string | null;
  name: string | null;
  first: string;
  last: string;
  lastDirection: 'inbound' | 'outbound';
  reopens: boolean;
}

/** One row per chat of the batch: first and last message, the latest customer id and name. */
function chatTouches(messages: readonly MessageEvent[]): ChatTouch[] {
  const chats = new Map<string, ChatTouch>();
  for (const event of messages) {
    const key = `${event.channel}\u0000${event.chatId}`;
    const direction = event.type === 'message_received' ? 'inbound' : 'outbound';
    const name = event.type === 'message_received' ? (event.message.senderName ?? null) : null;
    const touch = chats.get(key);
    if (!touch) {
      chats.set(key, {
        channel: event.channel,
        chatId: event.chatId,
        customerId: event.message.customerId ?? null,
        name,
        first: event.at,
        last: event.at,
        lastDirection: direction,
        reopens: direction === 'inbound',
      });
      continue;
    }
    if (Date.parse(event.at) < Date.parse(touch.first)) touch.first = event.at;
    if (Date.parse(event.at) >= Date.parse(touch.last)) {
      touch.last = event.at;
      touch.lastDirection = direction;
    }
    touch.customerId = event.message.customerId ?? touch.customerId;
    touch.name = name ?? touch.name;
    touch.reopens ||= direction === 'inbound';
  }
  return [...chats.values()];
}

async function writeMessages(client: DatabaseClient, messages: readonly MessageEvent[]): Promise<void> {
  if (messages.length === 0) return;
  const touches = chatTouches(messages);
  // A customer's message after staff closed the chat starts its next conversation; a late
  // answer of the bot does not.
  const reopening = touches.filter((t) => t.reopens);
  if (reopening.length > 0) {
    await client.query(
      `UPDATE chats c
         SET conversation = c.conversation + 1, state = 'open', closed_at = NULL, conversation_started_at = u.first
        FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(channel, chat_id, first)
       WHERE c.channel = u.channel AND c.chat_id = u.chat_id AND c.state = 'closed'`,
      [reopening.map((t) => t.channel), reopening.map((t) => t.chatId), reopening.map((t) => t.first)],
      'archive_reopen',
    );
  }
  await client.query(
    `INSERT INTO chats AS c (channel, chat_id, customer_id, name, conversation_started_at,
                             first_message_at, last_message_at, last_direction)
     SELECT u.channel, u.chat_id, u.customer_id, u.name, u.first, u.first, u.last, u.last_direction
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[])
            AS u(channel, chat_id, customer_id, name, first, last, last_direction)
     ON CONFLICT (channel, chat_id) DO UPDATE SET
       customer_id = COALESCE(excluded.customer_id, c.customer_id),
       name = COALESCE(excluded.name, c.name),
       first_message_at = LEAST(c.first_message_at, excluded.first_message_at),
       last_direction = CASE WHEN c.last_message_at IS NULL OR excluded.last_message_at >= c.last_message_at
                             THEN excluded.last_direction ELSE c.last_direction END,
       last_message_at = GREATEST(c.last_message_at, excluded.last_message_at)`,
    [
      touches.map((t) => t.channel),
      touches.map((t) => t.chatId),
      touches.map((t) => (t.customerId === null ? null : storableText(t.customerId))),
      touches.map((t) => (t.name === null ? null : storableText(t.name))),
      touches.map((t) => t.first),
      touches.map((t) => t.last),
      touches.map((t) => t.lastDirection),
    ],
    'archive_chats',
  );
  const rows = messages.map((event) => {
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
  });
  const columns = rows[0]?.map((_, i) => rows.map((row) => row[i])) ?? [];
  await client.query(
    `INSERT INTO messages (message_id, chat_ref, conversation, direction, kind, body, media_id, mime_type,
                           classification, correlation_id, purpose, reply_to, provider_message_id, customer_id,
                           skipped, at, search_text)
     SELECT u.message_id, c.id, c.conversation, u.direction, u.kind, u.body, u.media_id, u.mime_type,
            u.classification::jsonb, u.correlation_id, u.purpose, u.reply_to, u.provider_message_id, u.customer_id,
            u.skipped, u.at, u.search_text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                   $16::timestamptz[], $17::text[])
            AS u(message_id, channel, chat_id, direction, kind, body, media_id, mime_type, classification,
                 correlation_id, purpose, reply_to, provider_message_id, customer_id, skipped, at, search_text)
       JOIN chats c ON c.channel = u.channel AND c.chat_id = u.chat_id
     ON CONFLICT (message_id) DO NOTHING`,
    columns,
    'archive_messages',
  );
  // The classification an answer carries belongs first to the customer's message it answers.
  const classified = messages.filter(
    (e): e is Sent => e.type === 'message_sent' && e.message.classification !== undefined,
  );
  if (classified.length > 0) {
    await client.query(
      `UPDATE messages m SET classification = u.classification::jsonb
         FROM unnest($1::text[], $2::text[]) AS u(message_id, classification)
        WHERE m.message_id = u.message_id AND m.direction = 'inbound' AND m.classification IS NULL`,
      [classified.map((e) => e.message.correlationId), classified.map((e) => JSON.stringify(e.message.classification))],
      'archive_classification',
    );
  }
}

/**
 * Notices the gateway held back (opted out, no consent): one outbound row each in the
 * chat's current conversation, keyed by the outbound job id, so staff see in the history
 * that a notice was due and why it did not go. The chat row is created when missing (a
 * chat without consent may never have been archived) but not touched otherwise: nothing
 * reached the customer, so the last message and its direction stay as they were.
 */
async function writeHeldNotices(
  client: DatabaseClient,
  held: readonly ConversationEventOf<'notice_skipped'>[],
): Promise<void> {
  if (held.length === 0) return;
  await client.query(
    `INSERT INTO chats (channel, chat_id, conversation_started_at)
     SELECT DISTINCT ON (u.channel, u.chat_id) u.channel, u.chat_id, u.at
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(channel, chat_id, at)
     ON CONFLICT (channel, chat_id) DO NOTHING`,
    [held.map((e) => e.channel), held.map((e) => e.chatId), held.map((e) => e.at)],
    'archive_held_chats',
  );
  await client.query(
    `INSERT INTO messages (message_id, chat_ref, conversation, direction, kind, body, correlation_id, purpose,
                           skipped, at, search_text)
     SELECT u.message_id, c.id, c.conversation, 'outbound', '${HELD_NOTICE_KIND}', '', u.correlation_id, u.purpose,
            u.reason, u.at, ''
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
            AS u(message_id, channel, chat_id, correlation_id, purpose, reason, at)
       JOIN chats c ON c.channel = u.channel AND c.chat_id = u.chat_id
     ON CONFLICT (message_id) DO NOTHING`,
    [
      held.map((e) => e.messageId),
      held.map((e) => e.channel),
      held.map((e) => e.chatId),
      held.map((e) => e.correlationId),
      held.map((e) => e.notice.purpose),
      held.map((e) => e.reason),
      held.map((e) => e.at),
    ],
    'archive_held_notices',
  );
}

async function writeStatuses(
  client: DatabaseClient,
  statuses: readonly ConversationEventOf<'delivery_status'>[],
): Promise<void> {
  if (statuses.length === 0) return;
  await client.query(
    `INSERT INTO delivery_statuses (provider_message_id, status, rank, chat_id, at, error_code, error_title)
     SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::timestamptz[], $6::int[], $7::text[])
     ON CONFLICT (provider_message_id, status) DO NOTHING`,
    [
      statuses.map((s) => s.providerMessageId),
      statuses.map((s) => s.status),
      statuses.map((s) => STATUS_RANK[s.status]),
      statuses.map((s) => s.chatId),
      statuses.map((s) => s.at),
      statuses.map((s) => s.error?.code ?? null),
      statuses.map((s) => (s.error?.title ? storableText(s.error.title) : null)),
    ],
    'archive_statuses',
  );
}

async function writeConsents(client: DatabaseClient, consents: readonly ConversationEventOf<'consent'>[]) {
  if (consents.length === 0) return;
  await client.query(
    `INSERT INTO consent_records (event_id, channel, chat_id, decision, notice_version, notice_sha256, notice_text,
                                  notice_language, message_id, at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      consents.map((c) => c.id),
      consents.map((c) => c.channel),
      consents.map((c) => c.chatId),
      consents.map((c) => c.decision),
      consents.map((c) => c.noticeVersion),
      consents.map((c) => c.noticeSha256),
      consents.map((c) => (c.noticeText === undefined ? null : storableText(c.noticeText))),
      consents.map((c) => c.noticeLanguage ?? null),
      consents.map((c) => c.messageId),
      consents.map((c) => c.at),
    ],
    'archive_consents',
  );
}

async function startHandoff(client: DatabaseClient, event: ConversationEventOf<'handoff_started'>): Promise<void> {
  // The chat usually exists (consent comes first); a handoff is never lost for want of it.
  const chat = await client.query<{ id: string; conversation: number }>(
    `INSERT INTO chats AS c (channel, chat_id, state, conversation_started_at)
     VALUES ($1, $2, 'handoff', $3)
     ON CONFLICT (channel, chat_id) DO UPDATE SET state = 'handoff'
     RETURNING id, conversation`,
    [event.channel, event.chatId, event.at],
    'archive_handoff_chat',
  );
  const row = chat.rows[0];
  if (!row) return;
  await client.query(
    `INSERT INTO handoffs (event_id, chat_ref, conversation, reason, started_at, until)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id) DO NOTHING`,
    [event.id, row.id, row.conversation, event.reason, event.at, event.until],
    'archive_handoff',
  );
}

async function endHandoffs(client: DatabaseClient, channel: string, chatId: string, at: string, reason: string) {
  await client.query(
    `UPDATE handoffs h SET ended_at = $3, end_reason = $4
       FROM chats c
      WHERE h.chat_ref = c.id AND c.channel = $1 AND c.chat_id = $2 AND h.ended_at IS NULL`,
    [channel, chatId, at, reason],
    'archive_handoff_end',
  );
}
