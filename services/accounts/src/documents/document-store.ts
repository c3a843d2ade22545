import { createHash } from 'node:crypto';
import type { Database } from '@helpline/runtime';

export interface StoredDocument {
  id: string;
  mimeType: string;
  filename: string;
  bytes: Buffer;
}

/**
 * Statements made for customers, kept in PostgreSQL until the gateway fetches them (its
 * `GET /api/documents/:id` call, then the upload to WhatsApp). The id derives from the
 * request, so a retried job stores the same document once and the outbound job refers to it.
 */
export function createDocumentStore(db: Database) {
  return {
    idFor(correlationId: string, invoiceId: string): string {
      return `stmt-${createHash('sha256').update(`${correlationId}\n${invoiceId}`).digest('hex').slice(0, 32)}`;
    },
    async save(doc: StoredDocument & { customerId: string; invoiceId: string }): Promise<void> {
      await db.query(
        `INSERT INTO documents (document_id, customer_id, invoice_id, mime_type, filename, bytes)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (document_id) DO NOTHING`,
        [doc.id, doc.customerId, doc.invoiceId, doc.mimeType, doc.filename, doc.bytes],
        'document_save',
      );
    },
    async get(id: string): Promise<StoredDocument | undefined> {
      const r = await db.query<{ document_id: string; mime_type: string; filename: string; bytes: Buffer }>(
        'SELECT document_id, mime_type, filename, bytes FROM documents WHERE document_id = $1',
        [id],
        'document_get',
      );
      const row = r.rows[0];
      return row
        ? { id: row.document_id, mimeType: row.mime_type, filename: row.filename, bytes: row.bytes }
        : undefined;
    },
    /** Statements older than this are dropped: the customer can always ask again. */
    async dropOlderThan(days: number): Promise<number> {
      const r = await db.query(
        'DELETE FROM documents WHERE created_at < now() - make_interval(days => $1)',
        [days],
        'document_prune',
      );
      return r.rowCount ?? 0;
    },
  };
}
export type DocumentStore = ReturnType<typeof createDocumentStore>;
