import { ErrorBody } from '@helpline/runtime';
import { z } from 'zod';
import type { ReceiptRecord } from '../receipts/receipt-store.js';

// A receipt as the receipt routes show it, and their path parameter.

export const Id = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a receipt number') });
export const ReceiptView = z.object({
  id: z.string(),
  state: z.string(),
  chat_id: z.string(),
  customer_id: z.string().nullable(),
  mime_type: z.string(),
  size_bytes: z.number(),
  sha256: z.string(),
  caption: z.string().nullable(),
  received_at: z.string(),
  decided_at: z.string().nullable(),
  decision: z.record(z.string(), z.unknown()).nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  file_url: z.string(),
});
export const Decided = z.object({ receipt: ReceiptView, replayed: z.boolean() });
export const Conflict = ErrorBody.extend({ receipt: ReceiptView });

export const view = (r: ReceiptRecord): z.infer<typeof ReceiptView> => ({
  id: r.id,
  state: r.state,
  chat_id: r.chatId,
  customer_id: r.customerId,
  mime_type: r.mimeType,
  size_bytes: r.sizeBytes,
  sha256: r.sha256,
  caption: r.caption,
  received_at: r.receivedAt,
  decided_at: r.decidedAt,
  decision: r.decision,
  result: r.result,
  file_url: `/api/receipts/${r.id}/file`,
});
