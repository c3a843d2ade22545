import { CodedError, type Database, ERRORS } from '@helpline/runtime';
import { COLUMNS, oneReceipt, type ReceiptRecord } from './receipt-record.js';

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

/**
 * Stores a receipt once. `fresh`: this request stored it; otherwise either the same
 * request ran before (a retried job: same receipt) or the same bytes came earlier
 * (`duplicate`: the first receipt's record).
 */
export async function addReceipt(
  db: Database,
  receipt: NewReceipt,
): Promise<{ record: ReceiptRecord; fresh: boolean; duplicate: boolean }> {
  const inserted = await oneReceipt(
    db,
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
  const sameRequest = await oneReceipt(
    db,
    `SELECT ${COLUMNS} FROM receipts WHERE correlation_id = $1`,
    [receipt.correlationId],
    'receipt_by_correlation',
  );
  if (sameRequest) return { record: sameRequest, fresh: false, duplicate: sameRequest.sha256 !== receipt.sha256 };
  const first = await oneReceipt(
    db,
    `SELECT ${COLUMNS} FROM receipts WHERE sha256 = $1`,
    [receipt.sha256],
    'receipt_by_hash',
  );
  if (!first)
    throw new CodedError(
      ERRORS.internal_error,
      'a receipt conflicted but neither its request nor its bytes are on record',
    );
  return { record: first, fresh: false, duplicate: true };
}
