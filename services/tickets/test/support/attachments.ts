import { randomBytes } from 'node:crypto';
import { jobIds, type TicketAttachmentRequestInput } from '@helpline/contracts';
import type { TicketsContext } from '../../src/context.js';
import { waitFor } from './index.js';

/** A small but real PDF: the bytes a customer's statement or receipt starts with. */
export function pdfBytes(size = 2048): Buffer {
  const head = Buffer.from('%PDF-1.4\n');
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length))]);
}

export function attachRequest(
  messageId: string,
  mediaId: string,
  overrides: Partial<TicketAttachmentRequestInput> = {},
): TicketAttachmentRequestInput {
  return {
    kind: 'attach',
    messageId,
    correlationId: messageId,
    chat: { channel: 'cloud', chatId: '573001112233' },
    media: { id: mediaId, mimeType: 'application/pdf', filename: 'recibo de pago.pdf' },
    sentAt: '2025-03-04T15:16:17Z',
    ...overrides,
  };
}

export async function enqueueAttach(context: TicketsContext, request: TicketAttachmentRequestInput): Promise<string> {
  const { jobId } = await context.producers.tickets.add(request, { jobId: jobIds.attachment(request.messageId) });
  return jobId;
}

export async function settledJob(context: TicketsContext, jobId: string): Promise<'completed' | 'failed'> {
  return waitFor(
    async () => {
      const state = await context.producers.tickets.queue.getJobState(jobId);
      return state === 'completed' || state === 'failed' ? state : undefined;
    },
    20_000,
    `job ${jobId} to settle`,
  );
}
