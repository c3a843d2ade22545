import type { Database } from '@helpline/runtime';
import { COLUMNS, oneReceipt, type ReceiptRecord, type ReceiptState, type Row, toRecord } from './receipt-record.js';

/** Receipts read: one, its file, a page by state (oldest first), and the gauges' figures. */
export function createReceiptReads(db: Database) {
  return {
    get: (id: string) => oneReceipt(db, `SELECT ${COLUMNS} FROM receipts WHERE receipt_id = $1`, [id], 'receipt_get'),
    async bytes(id: string): Promise<{ bytes: Buffer; mimeType: string } | undefined> {
      const r = await db.query<{ bytes: Buffer; mime_type: string }>(
        'SELECT bytes, mime_type FROM receipts WHERE receipt_id = $1',
        [id],
        'receipt_bytes',
      );
      return r.rows[0] ? { bytes: r.rows[0].bytes, mimeType: r.rows[0].mime_type } : undefined;
    },
    async list(
      state: ReceiptState | undefined,
      limit: number,
      offset: number,
    ): Promise<{ total: number; items: ReceiptRecord[] }> {
      const where = state ? 'WHERE state = $1' : 'WHERE $1::text IS NULL';
      const total = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM receipts ${where}`,
        [state ?? null],
        'receipt_count',
      );
      const r = await db.query<Row>(
        `SELECT ${COLUMNS} FROM receipts ${where} ORDER BY received_at, receipt_id LIMIT $2 OFFSET $3`,
        [state ?? null, limit, offset],
        'receipt_list',
      );
      return { total: Number(total.rows[0]?.n ?? 0), items: r.rows.map(toRecord) };
    },
    /** For the gauges: receipts waiting, and how many waited longer than `hours`. */
    async pendingStats(hours: number): Promise<{ pending: number; overdue: number; oldestSeconds: number }> {
      const r = await db.query<{ pending: string; overdue: string; oldest: string | null }>(
        `SELECT count(*)::text AS pending,
                count(*) FILTER (WHERE received_at < now() - make_interval(hours => $1))::text AS overdue,
                extract(epoch FROM now() - min(received_at))::text AS oldest
           FROM receipts WHERE state = 'pending'`,
        [hours],
        'receipt_stats',
      );
      const row = r.rows[0];
      return {
        pending: Number(row?.pending ?? 0),
        overdue: Number(row?.overdue ?? 0),
        oldestSeconds: Math.max(0, Math.round(Number(row?.oldest ?? 0))),
      };
    },
  };
}
