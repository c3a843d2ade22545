import { createHash } from 'node:crypto';
import type { AccountRequest } from '@helpline/contracts';
import { isPermanentError } from '@helpline/runtime';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import { type MediaClient, ReceiptRefusedError } from '../receipts/media-client.js';
import type { ReceiptStore } from '../receipts/receipt-store.js';
import { fill } from './format-and-fill.js';
import type { Replier } from './reply.js';

export interface ReceiptIntakeDeps {
  media: MediaClient;
  receipts: ReceiptStore;
  metrics: AccountsMetrics;
  maxBytes: number;
  /** The one account the chat may see, when there is exactly one: kept on the receipt for staff. */
  customerIdOf: (request: AccountRequest) => Promise<string | undefined>;
}

/**
 * A payment receipt: downloaded through the gateway, size and type checked, stored with its
 * sha256 (the same bytes again are recognised), acknowledged. Staff confirm or reject it.
 */
export async function receiveReceipt(
  request: Extract<AccountRequest, { kind: 'receipt' }>,
  reply: Replier,
  deps: ReceiptIntakeDeps,
): Promise<void> {
  const t = reply.texts;
  let media: Awaited<ReturnType<MediaClient['download']>>;
  try {
    media = await deps.media.download(request.media.mediaId, request.replyTo.channel);
  } catch (error) {
    if (error instanceof ReceiptRefusedError) {
      deps.metrics.receipt('refused');
      const body =
        error.reason === 'too_large'
          ? fill(t.receiptTooLarge, { mb: Math.floor(deps.maxBytes / (1024 * 1024)) })
          : t.receiptWrongType;
      await reply.text('receipt', body, { awaiting: 'payment_receipt' });
      return;
    }
    if (isPermanentError(error)) {
      await reply.text('receipt', t.receiptUnavailable, { awaiting: 'payment_receipt' });
      return;
    }
    throw error;
  }
  const sha256 = createHash('sha256').update(media.bytes).digest('hex');
  const customerId = await deps.customerIdOf(request).catch(() => undefined);
  const stored = await deps.receipts.add({
    correlationId: request.correlationId,
    sha256,
    chatId: request.replyTo.chatId,
    phone: request.phone,
    language: request.replyTo.language,
    customerId,
    mediaId: request.media.mediaId,
    mimeType: media.mimeType,
    bytes: media.bytes,
    caption: request.media.caption,
  });
  if (stored.fresh) deps.metrics.receipt('received');
  if (stored.duplicate) {
    deps.metrics.receipt('duplicate');
    await reply.text('receipt', fill(t.receiptDuplicate, { receipt: stored.record.id }), { awaiting: 'none' });
    return;
  }
  await reply.text('receipt', fill(t.receiptReceived, { receipt: stored.record.id }), {
    awaiting: 'none',
    ...(customerId ? { customerId } : {}),
  });
}
