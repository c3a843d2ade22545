import type { Database } from '@helpline/runtime';
import { HELD_NOTICE_KIND } from '../archive/archive-writer.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export interface MessageRow {
  messageId: string;
  conversation: number;
  direction: 'inbound' | 'outbound';
  kind: string;
  text: string;
  at: string;
  mediaId: string | null;
  mimeType: string | null;
  classification: unknown;
  correlationId: string | null;
  purpose: string | null;
  replyTo: string | null;
  providerMessageId: string | null;
  customerId: string | null;
  skipped: string | null;
  /**
   * Inbound: `received`; outbound: the latest status Meta reported, `sent` until one
   * arrives; `skipped` for a notice the gateway held back (the reason in `skipped`:
   * `opted_out`, `no_consent`).
   */
  status: string;
  statusAt: string | null;
  error: { code: number; title: string | null } | null;
}

/** A chat's whole history (every conversation), newest first, with delivery statuses. */
export async function chatMessages(
  db: Database,
  chatId: string,
  page: number,
  perPage: number,
): Promise<{ total: number; items: MessageRow[] } | undefined> {
  const chat = await db.query<{ id: string }>(`SELECT id FROM chats WHERE chat_id = $1`, [chatId], 'get_chat_id');
  if (chat.rows.length === 0) return undefined;
  const refs = chat.rows.map((r) => r.id);
  const count = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM messages WHERE chat_ref = ANY($1::bigint[])`,
    [refs],
    'messages_count',
  );
  const rows = await db.query<{
    message_id: string;
    conversation: number;
    direction: 'inbound' | 'outbound';
    kind: string;
    body: string;
    at: Date;
    media_id: string | null;
    mime_type: string | null;
    classification: unknown;
    correlation_id: string | null;
    purpose: string | null;
    reply_to: string | null;
    provider_message_id: string | null;
    customer_id: string | null;
    skipped: string | null;
    status: string | null;
    status_at: Date | null;
    error_code: number | null;
    error_title: string | null;
  }>(
    `SELECT m.message_id, m.conversation, m.direction, m.kind, m.body, m.at, m.media_id, m.mime_type,
              m.classification, m.correlation_id, m.purpose, m.reply_to, m.provider_message_id, m.customer_id,
              m.skipped, s.status, s.at AS status_at, s.error_code, s.error_title
         FROM messages m
         LEFT JOIN LATERAL (
           SELECT d.status, d.at, d.error_code, d.error_title FROM delivery_statuses d
            WHERE m.direction = 'outbound' AND d.provider_message_id = m.provider_message_id
            ORDER BY d.rank DESC LIMIT 1) s ON true
        WHERE m.chat_ref = ANY($1::bigint[])
        ORDER BY m.at DESC, m.id DESC
        LIMIT $2 OFFSET $3`,
    [refs, perPage, (page - 1) * perPage],
    'messages_page',
  );
  return {
    total: Number(count.rows[0]?.n ?? 0),
    items: rows.rows.map((r) => ({
      messageId: r.message_id,
      conversation: r.conversation,
      direction: r.direction,
      kind: r.kind,
      text: r.body,
      at: r.at.toISOString(),
      mediaId: r.media_id,
      mimeType: r.mime_type,
      classification: r.classification,
      correlationId: r.correlation_id,
      purpose: r.purpose,
      replyTo: r.reply_to,
      providerMessageId: r.provider_message_id,
      customerId: r.customer_id,
      skipped: r.skipped,
      status: r.direction === 'inbound' ? 'received' : r.kind === HELD_NOTICE_KIND ? 'skipped' : (r.status ?? 'sent'),
      statusAt: iso(r.status_at),
      error: r.error_code === null ? null : { code: r.error_code, title: r.error_title },
    })),
  };
}
