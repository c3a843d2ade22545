import type { Database } from '@helpline/runtime';
import { CodedError, ERRORS } from '@helpline/runtime';

export type ReceiptState = 'pending' | 'confirming' | 'confirmed' | 'rejected';

export interface ReceiptRecord {
  id: string;
  correlationId: string;
  sha256: string;
  chatId: string;
  phone: string;
  language: 'es' | 'en';
  customerId: string | null;
  mimeType: string;
  sizeBytes: number;
  caption: string | null;
  state: ReceiptState;
  receivedAt: string;
  decidedAt: string | null;
  decision: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
}

interface Row {
  receipt_id: string;
  correlation_id: string;
  sha256: string;
  chat_id: string;
  phone: string;
  language: string;
  customer_id: string | null;
  mime_type: string;
  size_bytes: number;
  caption: string | null;
  state: string;
  received_at: Date;
  decided_at: Date | null;
  decision: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
}

const COLUMNS = `receipt_id::text, correlation_id, sha256, chat_id, phone, language, customer_id, mime_type, size_bytes,
  caption, state, received_at, decided_at, decision, result`;

function toRecord(row: Row): ReceiptRecord {
  return {
    id: row.receipt_id,
    correlationId: row.correlation_id,
    sha256: row.sha256,
    chatId: row.chat_id,
    phone: row.phone,
    language: row.language === 'en' ? 'en' : 'es',
    customerId: row.customer_id,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    caption: row.caption,
    state: row.state as ReceiptState,
    receivedAt: row.received_at.toISOString(),
    decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    decision: row.decision,
    result: row.result,
  };
}

export interface NewReceipt {
  correlationId: string;
  sha256: string;
  chatId: string;
  phone: string;
  language: 'es' | 'en';
  customerId: string | undefined;
  mediaId: string;
  mimeType: string;
  bytes: Buffer;
  caption: string | undefined;
}

/** Receipts in PostgreSQL. Each state change is one conditional UPDATE: two staff clicks cannot both win. */
export function createReceiptStore(db: Database) {
  const one = async (sql: string, params: unknown[], name: string) => {
    const r = await db.query<Row>(sql, params, name);
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  };
  return {
    /**
     * Stores a receipt once. `fresh`: this request stored it; otherwise either the same
     * request ran before (a retried job: same receipt) or the same bytes came earlier
     * (`duplicate`: the first receipt's record).
     */
    async add(receipt: NewReceipt): Promise<{ record: ReceiptRecord; fresh: boolean; duplicate: boolean }> {
      const inserted = await one(
        `INSERT INTO receipts (correlation_id, sha256, chat_id, phone, language, customer_id, media_id, mime_type,
                               size_bytes, bytes, caption)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [
          receipt.correlationId,
          receipt.sha256,
          receipt.chatId,
          receipt.phone,
          receipt.language,
          receipt.customerId ?? null,
          receipt.mediaId,
          receipt.mimeType,
          receipt.bytes.length,
          receipt.bytes,
          receipt.caption ?? null,
        ],
        'receipt_insert',
      );
      if (inserted) return { record: inserted, fresh: true, duplicate: false };
      const sameRequest = await one(
        `SELECT ${COLUMNS} FROM receipts WHERE correlation_id = $1`,
        [receipt.correlationId],
        'receipt_by_correlation',
      );
      if (sameRequest) return { record: sameRequest, fresh: false, duplicate: sameRequest.sha256 !== receipt.sha256 };
      const first = await one(`SELECT ${COLUMNS} FROM receipts WHERE sha256 = $1`, [receipt.sha256], 'receipt_by_hash');
      if (!first)
        throw new CodedError(
          ERRORS.internal_error,
          'a receipt conflicted but neither its request nor its bytes are on record',
        );
      return { record: first, fresh: false, duplicate: true };
    },
    get: (id: string) => one(`SELECT ${COLUMNS} FROM receipts WHERE receipt_id = $1`, [id], 'receipt_get'),
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
    /** pending -> confirming with the decision; undefined when the receipt was not pending. */
    beginConfirm: (id: string, decision: Record<string, unknown>) =>
      one(
        `UPDATE receipts SET state = 'confirming', decision = $2, decided_at = now()
          WHERE receipt_id = $1 AND state = 'pending' RETURNING ${COLUMNS}`,
        [id, decision],
        'receipt_begin_confirm',
      ),
    finishConfirm: (id: string, result: Record<string, unknown>) =>
      one(
        `UPDATE receipts SET state = 'confirmed', result = $2 WHERE receipt_id = $1 AND state = 'confirming' RETURNING ${COLUMNS}`,
        [id, result],
        'receipt_finish_confirm',
      ),
    /** The back-office refused the payment (nothing was registered): back to pending, the refusal kept. */
    abandonConfirm: (id: string, result: Record<string, unknown>) =>
      one(
        `UPDATE receipts SET state = 'pending', result = $2, decision = NULL, decided_at = NULL
          WHERE receipt_id = $1 AND state = 'confirming' RETURNING ${COLUMNS}`,
        [id, result],
        'receipt_abandon_confirm',
      ),
    /** The back-office's answer was lost: the payment may be in; staff check before anything else. */
    markUncertain: (id: string, result: Record<string, unknown>) =>
      one(
        `UPDATE receipts SET result = $2 WHERE receipt_id = $1 AND state = 'confirming' RETURNING ${COLUMNS}`,
        [id, result],
        'receipt_uncertain',
      ),
    reject: (id: string, decision: Record<string, unknown>) =>
      one(
        `UPDATE receipts SET state = 'rejected', decision = $2, decided_at = now()
          WHERE receipt_id = $1 AND state = 'pending' RETURNING ${COLUMNS}`,
        [id, decision],
        'receipt_reject',
      ),
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
export type ReceiptStore = ReturnType<typeof createReceiptStore>;
