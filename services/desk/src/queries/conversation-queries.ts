import { HELD_NOTICE_KIND } from '../archive/archive-writer.js';
import type { Database } from '@helpline/runtime';
import { foldForSearch } from '../archive/fold-text.js';

/** The purpose of the message the tickets service sends with a new ticket's number. */
export const TICKET_PURPOSE = 'ticket';

export interface ConversationFilters {
  page: number;
  perPage: number;
  /** Digits the chat id contains. */
  number?: string;
  customerId?: string;
  channel?: string;
  state?: 'open' | 'handoff' | 'closed';
  hasOpenTicket?: boolean;
  /** Last message at or after / before. */
  from?: string;
  to?: string;
  lastDirection?: 'inbound' | 'outbound';
  /** Full-text search over the chat's messages (Spanish, accents folded). */
  q?: string;
}

export interface ConversationSummary {
  chatId: string;
  channel: string;
  customerId: string | null;
  name: string | null;
  state: 'open' | 'handoff' | 'closed';
  conversation: number;
  conversationStartedAt: string;
  firstMessageAt: string | null;
  lastMessageAt: string | null;
  lastDirection: 'inbound' | 'outbound' | null;
  closedAt: string | null;
  messages: number;
  hasOpenTicket: boolean;
}

interface ChatRow {
  chat_id: string;
  channel: string;
  customer_id: string | null;
  name: string | null;
  state: ConversationSummary['state'];
  conversation: number;
  conversation_started_at: Date;
  first_message_at: Date | null;
  last_message_at: Date | null;
  last_direction: ConversationSummary['lastDirection'];
  closed_at: Date | null;
  messages: string;
  has_open_ticket: boolean;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

// An open ticket, as the archive can tell: a ticket's number was sent in the chat's current
// conversation and staff have not closed it. (Whether the ticket itself is still open lives
// in the CRM or the tickets service, which the archive does not read.)
const OPEN_TICKET_SQL = `(c.state <> 'closed' AND EXISTS (
  SELECT 1 FROM messages t WHERE t.chat_ref = c.id AND t.conversation = c.conversation AND t.purpose = '${TICKET_PURPOSE}'))`;

const SUMMARY_COLUMNS = `c.chat_id, c.channel, c.customer_id, c.name, c.state, c.conversation, c.conversation_started_at,
  c.first_message_at, c.last_message_at, c.last_direction, c.closed_at,
  (SELECT count(*) FROM messages n WHERE n.chat_ref = c.id)::text AS messages,
  ${OPEN_TICKET_SQL} AS has_open_ticket`;

function toSummary(row: ChatRow): ConversationSummary {
  return {
    chatId: row.chat_id,
    channel: row.channel,
    customerId: row.customer_id,
    name: row.name,
    state: row.state,
    conversation: row.conversation,
    conversationStartedAt: row.conversation_started_at.toISOString(),
    firstMessageAt: iso(row.first_message_at),
    lastMessageAt: iso(row.last_message_at),
    lastDirection: row.last_direction,
    closedAt: iso(row.closed_at),
    messages: Number(row.messages),
    hasOpenTicket: row.has_open_ticket,
  };
}

/** Every value travels as a parameter; only fixed SQL fragments are joined. */
function where(filters: Omit<ConversationFilters, 'page' | 'perPage'>): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filters.number !== undefined) {
    // LIKE's own wildcards in the value are escaped, so they match themselves.
    conditions.push(`c.chat_id LIKE '%' || ${param(filters.number.replace(/[\\%_]/g, '\\$&'))} || '%'`);
  }
  if (filters.customerId !== undefined) conditions.push(`c.customer_id = ${param(filters.customerId)}`);
  if (filters.channel !== undefined) conditions.push(`c.channel = ${param(filters.channel)}`);
  if (filters.state !== undefined) conditions.push(`c.state = ${param(filters.state)}`);
  if (filters.hasOpenTicket !== undefined)
    conditions.push(filters.hasOpenTicket ? OPEN_TICKET_SQL : `NOT ${OPEN_TICKET_SQL}`);
  if (filters.from !== undefined) conditions.push(`c.last_message_at >= ${param(filters.from)}::timestamptz`);
  if (filters.to !== undefined) conditions.push(`c.last_message_at < ${param(filters.to)}::timestamptz`);
  if (filters.lastDirection !== undefined) conditions.push(`c.last_direction = ${param(filters.lastDirection)}`);
  if (filters.q !== undefined) {
    conditions.push(
      `EXISTS (SELECT 1 FROM messages s WHERE s.chat_ref = c.id AND s.search @@ plainto_tsquery('spanish', ${param(foldForSearch(filters.q))}))`,
    );
  }
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

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

/** The staff's queries over the archive. */
export function createConversationQueries(db: Database) {
  return {
    async list(filters: ConversationFilters): Promise<{ total: number; items: ConversationSummary[] }> {
      const { sql, params } = where(filters);
      const count = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM chats c ${sql}`,
        params,
        'list_count',
      );
      const page = await db.query<ChatRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM chats c ${sql}
         ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC
         LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filters.perPage, (filters.page - 1) * filters.perPage],
        'list_page',
      );
      return { total: Number(count.rows[0]?.n ?? 0), items: page.rows.map(toSummary) };
    },

    async get(chatId: string): Promise<ConversationSummary[]> {
      const rows = await db.query<ChatRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM chats c WHERE c.chat_id = $1 ORDER BY c.channel`,
        [chatId],
        'get_chat',
      );
      return rows.rows.map(toSummary);
    },

    async byCustomer(customerId: string, page: number, perPage: number) {
      return this.list({ page, perPage, customerId });
    },

    /** A chat's whole history (every conversation), newest first, with delivery statuses. */
    async messages(
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
          status:
            r.direction === 'inbound' ? 'received' : r.kind === HELD_NOTICE_KIND ? 'skipped' : (r.status ?? 'sent'),
          statusAt: iso(r.status_at),
          error: r.error_code === null ? null : { code: r.error_code, title: r.error_title },
        })),
      };
    },

    /** The consent evidence of a chat, oldest first, as an auditor asks for it. */
    async consents(chatId: string) {
      const rows = await db.query<{
        decision: string;
        channel: string;
        notice_version: string;
        notice_sha256: string;
        notice_text: string | null;
        notice_language: string | null;
        message_id: string;
        at: Date;
        archived_at: Date;
      }>(
        `SELECT decision, channel, notice_version, notice_sha256, notice_text, notice_language, message_id, at, archived_at
           FROM consent_records WHERE chat_id = $1 ORDER BY at, id`,
        [chatId],
        'consents',
      );
      return rows.rows.map((r) => ({
        decision: r.decision,
        channel: r.channel,
        noticeVersion: r.notice_version,
        noticeSha256: r.notice_sha256,
        noticeText: r.notice_text,
        noticeLanguage: r.notice_language,
        messageId: r.message_id,
        at: r.at.toISOString(),
        archivedAt: r.archived_at.toISOString(),
      }));
    },
  };
}

export type ConversationQueries = ReturnType<typeof createConversationQueries>;
