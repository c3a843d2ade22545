import { type InboundMessage, jobIds, TicketAttachmentRequest } from '@helpline/contracts';
import type { Logger, Producer } from '@helpline/runtime';
import type { Plan } from '../decide.js';

/** What a customer sends that belongs on their ticket: documents (statements, receipts) and photos. */
const ATTACHABLE_TYPES: ReadonlySet<InboundMessage['type']> = new Set(['image', 'document']);

/**
 * A document or photo of a consented chat goes to the tickets service, which attaches it to
 * the chat's open ticket if there is one (it alone knows). Only the reference is queued: the
 * bytes are fetched through GET /api/media when attached. One message, one job id; a receipt
 * is attached too, beside what the accounts service does with it.
 */
export async function offerToOpenTicket(
  tickets: Producer<'tickets'> | undefined,
  message: InboundMessage,
  plan: Plan,
  log: Logger,
): Promise<void> {
  if (!tickets || !plan.consented || plan.action.kind === 'consent_declined') return;
  if (!ATTACHABLE_TYPES.has(message.type) || !message.media?.id) return;
  const request = TicketAttachmentRequest.safeParse({
    kind: 'attach',
    messageId: message.id,
    correlationId: message.id,
    chat: { channel: message.channel, chatId: message.chatId },
    media: {
      id: message.media.id,
      mimeType: message.media.mimeType,
      filename: message.media.filename,
      caption: message.media.caption,
    },
    sentAt: message.receivedAt,
  });
  if (!request.success) {
    // A media id the media endpoint could not serve either: nothing to attach; the message is still logged.
    log.warn({ reason: request.error.issues[0]?.message }, 'media not offered to the open ticket');
    return;
  }
  await tickets.add(request.data, { jobId: jobIds.attachment(message.id) });
}
