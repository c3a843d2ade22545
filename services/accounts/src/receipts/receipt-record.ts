import type { Database } from '@helpline/runtime';

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

export interface Row {
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

export const COLUMNS = `receipt_id::text, correlation_id, sha256, chat_id, phone, language, customer_id, mime_type, size_bytes,
  caption, state, received_at, decided_at, decision, result`;

export function toRecord(row: Row): ReceiptRecord {
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

/** The one receipt a statement returns, as a record; undefined when it returns none. */
export async function oneReceipt(
  db: Database,
  sql: string,
  params: unknown[],
  name: string,
): Promise<ReceiptRecord | undefined> {
  const r = await db.query<Row>(sql, params, name);
  return r.rows[0] ? toRecord(r.rows[0]) : undefined;
}
