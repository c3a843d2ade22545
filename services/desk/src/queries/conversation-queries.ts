import type { Database } from '@helpline/runtime';
import { foldForSearch } from '../archive/fold-text.js';
import { consentRecords } from './consent-records.js';
import { chatMessages } from './message-history.js';

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

// An open ticket: one the tickets service reported opened for the chat (ticket_opened) and
// not closed since (ticket_status). The local store reports every status change; Zoho Desk's
// changes are made in Zoho and not reported, so a Zoho ticket counts as open until staff close
// the conversation. A chat with no ticket event (tickets opened before the tickets service
// reported them) falls back to what the archive saw: a ticket notice sent in the current
// conversation, not closed by staff.
const OPEN_TICKET_SQL = `(EXISTS (
  SELECT 1 FROM tickets k WHERE k.chat_id = c.chat_id AND k.channel = c.channel AND k.open
    AND (k.provider IS DISTINCT FROM 'zoho' OR c.state <> 'closed'))
 OR (NOT EXISTS (SELECT 1 FROM tickets k WHERE k.chat_id = c.chat_id AND k.channel = c.channel)
   AND c.state <> 'closed' AND EXISTS (
     SELECT 1 FROM messages t WHERE t.chat_ref = c.id AND t.conversation = c.conversation AND t.purpose = '${TICKET_PURPOSE}')))`;

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
    messages: (chatId: string, page: number, perPage: number) => chatMessages(db, chatId, page, perPage),

    /** The consent evidence of a chat, oldest first, as an auditor asks for it. */
    consents: (chatId: string) => consentRecords(db, chatId),
  };
}

export type ConversationQueries = ReturnType<typeof createConversationQueries>;
