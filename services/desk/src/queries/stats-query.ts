import { HELD_NOTICE_KIND } from '../archive/archive-writer.js';
import type { Database } from '@helpline/runtime';
import { TICKET_PURPOSE } from './conversation-queries.js';

export interface StatsRange {
  from: string;
  to: string;
  /** IANA zone the days are counted in. */
  timeZone: string;
}

export interface DayFigures {
  day: string;
  /** Conversations with a message that day, counted on the day of their first message in the range. */
  conversations: number;
  inbound: number;
  outbound: number;
  identified: number;
  unidentified: number;
  answeredByBot: number;
  handedOff: number;
  ticketsOpened: number;
  medianFirstResponseSeconds: number | null;
  consentGiven: number;
  consentDeclined: number;
  consentWithdrawn: number;
}

type Totals = Omit<DayFigures, 'day'> & {
  /** Distinct customer ids among the range's conversations. */
  customers: number;
};

/** The range's conversations, one row each, with what the figures need. */
const CONVERSATIONS_CTE = `
WITH m AS (
  SELECT m.chat_ref, m.conversation, m.direction, m.at, (m.at AT TIME ZONE $3)::date AS day
    FROM messages m
   WHERE m.at >= $1::timestamptz AND m.at < $2::timestamptz AND m.kind <> '${HELD_NOTICE_KIND}'
), conv AS (
  SELECT chat_ref, conversation, min(day) AS day,
         min(at) FILTER (WHERE direction = 'inbound') AS first_in,
         bool_or(direction = 'outbound') AS answered
    FROM m GROUP BY chat_ref, conversation
), figures AS (
  SELECT conv.day, conv.answered, c.customer_id,
         EXISTS (SELECT 1 FROM handoffs h WHERE h.chat_ref = conv.chat_ref AND h.conversation = conv.conversation)
           AS handed_off,
         EXTRACT(EPOCH FROM (
           SELECT min(o.at) FROM messages o
            WHERE o.chat_ref = conv.chat_ref AND o.conversation = conv.conversation
              AND o.direction = 'outbound' AND o.kind <> '${HELD_NOTICE_KIND}' AND o.at >= conv.first_in)
           - conv.first_in) AS first_response
    FROM conv JOIN chats c ON c.id = conv.chat_ref
)`;

const CONVERSATION_FIGURES = `
  count(*)::int AS conversations,
  count(*) FILTER (WHERE customer_id IS NOT NULL)::int AS identified,
  count(*) FILTER (WHERE customer_id IS NULL)::int AS unidentified,
  count(*) FILTER (WHERE answered AND NOT handed_off)::int AS answered_by_bot,
  count(*) FILTER (WHERE handed_off)::int AS handed_off,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response) AS median_first_response`;

interface ConversationRow {
  conversations: number;
  identified: number;
  unidentified: number;
  answered_by_bot: number;
  handed_off: number;
  median_first_response: number | null;
}

const emptyDay = (day: string): DayFigures => ({
  day,
  conversations: 0,
  inbound: 0,
  outbound: 0,
  identified: 0,
  unidentified: 0,
  answeredByBot: 0,
  handedOff: 0,
  ticketsOpened: 0,
  medianFirstResponseSeconds: null,
  consentGiven: 0,
  consentDeclined: 0,
  consentWithdrawn: 0,
});

const seconds = (value: number | string | null): number | null =>
  value === null ? null : Math.round(Number(value) * 1000) / 1000;

/**
 * `GET /api/stats`: totals and per-day figures over a range, and the counts the ISP's own
 * dashboards show (customers, active conversations). One pass per source, parameterised.
 */
export function createStatsQuery(db: Database, clock: () => Date = () => new Date()) {
  return async function stats(range: StatsRange) {
    const params = [range.from, range.to, range.timeZone];
    const [perDayConversations, totalConversations, messages, consents, now] = await Promise.all([
      db.query<ConversationRow & { day: string }>(
        `${CONVERSATIONS_CTE} SELECT to_char(day, 'YYYY-MM-DD') AS day, ${CONVERSATION_FIGURES}
           FROM figures GROUP BY day ORDER BY day`,
        params,
        'stats_conversations_daily',
      ),
      db.query<ConversationRow & { customers: number }>(
        `${CONVERSATIONS_CTE} SELECT ${CONVERSATION_FIGURES}, count(DISTINCT customer_id)::int AS customers FROM figures`,
        params,
        'stats_conversations_total',
      ),
      db.query<{ day: string; inbound: number; outbound: number; tickets: number }>(
        `SELECT to_char((at AT TIME ZONE $3)::date, 'YYYY-MM-DD') AS day,
                count(*) FILTER (WHERE direction = 'inbound')::int AS inbound,
                count(*) FILTER (WHERE direction = 'outbound')::int AS outbound,
                count(*) FILTER (WHERE direction = 'outbound' AND purpose = $4)::int AS tickets
           FROM messages WHERE at >= $1::timestamptz AND at < $2::timestamptz AND kind <> '${HELD_NOTICE_KIND}'
          GROUP BY 1 ORDER BY 1`,
        [...params, TICKET_PURPOSE],
        'stats_messages_daily',
      ),
      db.query<{ day: string; given: number; declined: number; withdrawn: number }>(
        `SELECT to_char((at AT TIME ZONE $3)::date, 'YYYY-MM-DD') AS day,
                count(*) FILTER (WHERE decision = 'given')::int AS given,
                count(*) FILTER (WHERE decision = 'declined')::int AS declined,
                count(*) FILTER (WHERE decision = 'withdrawn')::int AS withdrawn
           FROM consent_records WHERE at >= $1::timestamptz AND at < $2::timestamptz
          GROUP BY 1 ORDER BY 1`,
        params,
        'stats_consents_daily',
      ),
      db.query<{ customers: number; active: number }>(
        `SELECT count(DISTINCT customer_id)::int AS customers,
                count(*) FILTER (WHERE state <> 'closed' AND last_message_at >= $1::timestamptz)::int AS active
           FROM chats`,
        [new Date(clock().getTime() - 24 * 3600_000).toISOString()],
        'stats_now',
      ),
    ]);

    const days = new Map<string, DayFigures>();
    const day = (key: string) => {
      const known = days.get(key);
      if (known) return known;
      const figures = emptyDay(key);
      days.set(key, figures);
      return figures;
    };
    for (const row of perDayConversations.rows) {
      Object.assign(day(row.day), {
        conversations: row.conversations,
        identified: row.identified,
        unidentified: row.unidentified,
        answeredByBot: row.answered_by_bot,
        handedOff: row.handed_off,
        medianFirstResponseSeconds: seconds(row.median_first_response),
      });
    }
    for (const row of messages.rows) {
      Object.assign(day(row.day), { inbound: row.inbound, outbound: row.outbound, ticketsOpened: row.tickets });
    }
    for (const row of consents.rows) {
      Object.assign(day(row.day), {
        consentGiven: row.given,
        consentDeclined: row.declined,
        consentWithdrawn: row.withdrawn,
      });
    }
    const perDay = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
    const sum = (field: keyof Omit<DayFigures, 'day' | 'medianFirstResponseSeconds'>) =>
      perDay.reduce((n, d) => n + d[field], 0);
    const total = totalConversations.rows[0];
    const totals: Totals = {
      conversations: total?.conversations ?? 0,
      inbound: sum('inbound'),
      outbound: sum('outbound'),
      identified: total?.identified ?? 0,
      unidentified: total?.unidentified ?? 0,
      answeredByBot: total?.answered_by_bot ?? 0,
      handedOff: total?.handed_off ?? 0,
      ticketsOpened: sum('ticketsOpened'),
      medianFirstResponseSeconds: seconds(total?.median_first_response ?? null),
      consentGiven: sum('consentGiven'),
      consentDeclined: sum('consentDeclined'),
      consentWithdrawn: sum('consentWithdrawn'),
      customers: total?.customers ?? 0,
    };
    return {
      range,
      totals,
      days: perDay,
      now: { customers: now.rows[0]?.customers ?? 0, activeConversations: now.rows[0]?.active ?? 0 },
    };
  };
}

export type StatsQuery = ReturnType<typeof createStatsQuery>;
