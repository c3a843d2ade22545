import { jobIds } from '@helpline/contracts';
import type { Producer } from '@helpline/runtime';
import type { ReceiptRecord } from './receipt-store.js';

/**
 * The customer told of staff's decision on their receipt. The job id comes from the receipt,
 * so a decision repeated (a retry, a double click) sends nothing twice. The receipt answers
 * no request of the moment: the gateway picks the chat's channel at send time.
 */
export async function tellDecision(
  outbound: Producer<'outbound'>,
  receipt: ReceiptRecord,
  purpose: 'receipt_confirmed' | 'receipt_rejected',
  body: string,
): Promise<void> {
  const correlationId = `receipt-${receipt.id}`;
  await outbound.add(
    {
      correlationId,
      purpose,
      channel: 'cloud',
      channelFromChat: true,
      to: receipt.chatId,
      content: { kind: 'text', body },
      ...(receipt.customerId ? { meta: { customerId: receipt.customerId } } : {}),
    },
    { jobId: jobIds.outbound(correlationId, purpose) },
  );
}
