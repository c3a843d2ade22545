import { HELD_NOTICE_KIND } from '../archive/archive-writer.js';
import type { Database } from '@helpline/runtime';

export const CSV_COLUMNS = [
  'at',
  'channel',
  'chat_id',
  'customer_id',
  'direction',
  'kind',
  'text',
  'message_id',
  'correlation_id',
  'purpose',
  'status',
  'error_code',
] as const;

/** Rows fetched from the cursor per round trip. */
const FETCH_ROWS = 500;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. A value
 * a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote
 * mark, since customers write these texts (OWASP "CSV injection").
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The messages of a date range as CSV, oldest first, streamed from a server-side cursor
 * (DECLARE ... FETCH) in one read-only transaction: the export never holds more than one
 * round of rows in memory however long the range. Closing the consumer early (the client
 * went away) rolls back and releases the connection.
 */
export async function* exportMessagesCsv(db: Database, range: { from: string; to: string }): AsyncGenerator<string> {
  const client = await db.pool.connect();
  let done = false;
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(
      `DECLARE export_cursor NO SCROLL CURSOR FOR
       SELECT m.at, c.channel, c.chat_id, m.customer_id, m.direction, m.kind, m.body, m.message_id, m.correlation_id,
              m.purpose,
              CASE WHEN m.direction = 'inbound' THEN 'received'
                   WHEN m.kind = '${HELD_NOTICE_KIND}' THEN 'skipped' ELSE COALESCE(s.status, 'sent') END AS status,
              s.error_code
         FROM messages m
         JOIN chats c ON c.id = m.chat_ref
         LEFT JOIN LATERAL (
           SELECT d.status, d.error_code FROM delivery_statuses d
            WHERE m.direction = 'outbound' AND d.provider_message_id = m.provider_message_id
            ORDER BY d.rank DESC LIMIT 1) s ON true
        WHERE m.at >= $1::timestamptz AND m.at < $2::timestamptz
        ORDER BY m.at, m.id`,
      [range.from, range.to],
    );
    yield `${CSV_COLUMNS.join(',')}\r\n`;
    for (;;) {
      const batch = await client.query({ text: `FETCH ${FETCH_ROWS} FROM export_cursor`, rowMode: 'array' });
      if (batch.rows.length === 0) break;
      yield batch.rows.map((row: unknown[]) => `${row.map(csvField).join(',')}\r\n`).join('');
    }
    await client.query('COMMIT');
    done = true;
  } finally {
    if (!done) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
