import type { TicketAttachmentRequest } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { CrmAdapter } from '../crm/crm-adapter.js';
import { CrmAmbiguousError, CrmUnavailableError } from '../crm/crm-errors.js';
import type { TicketRecords } from '../tickets/ticket-records.js';
import { attachmentName } from './attachment-name.js';
import type { AttachmentRecords, ChatTickets } from './chat-tickets.js';
import type { GatewayMedia } from './gateway-media.js';

export type AttachOutcome = 'attached' | 'duplicate' | 'no_open_ticket' | 'ticket_closed';

export interface AttachResult {
  outcome: AttachOutcome;
  ticketId?: string;
  attachmentId?: string;
}

export interface AttachDeps {
  crm: CrmAdapter;
  records: TicketRecords;
  chatTickets: ChatTickets;
  attachments: AttachmentRecords;
  media: GatewayMedia;
  logger: Logger;
}

/**
 * A customer's document or photo onto the chat's open ticket, once per message:
 * 1. done before (recorded per message id): nothing more;
 * 2. the chat has no ticket: nothing to attach to (the message stays in the conversation log);
 * 3. its ticket is not created yet (the CRM was away when it was asked for): retried, like the
 *    ticket itself, until it is;
 * 4. the ticket is closed: not reopened for a file;
 * 5. the bytes are fetched through the gateway now (never queued) and uploaded; an upload
 *    whose answer was lost is looked for in the ticket before another is sent.
 */
export async function attachToOpenTicket(request: TicketAttachmentRequest, deps: AttachDeps): Promise<AttachResult> {
  const { crm } = deps;
  const done = await deps.attachments.done(request.messageId);
  if (done) return { outcome: 'duplicate', attachmentId: done };

  const key = await deps.chatTickets.keyFor(request.chat);
  if (!key) return { outcome: 'no_open_ticket' };
  const recorded = await deps.records.get(key);
  if (!recorded) throw new CrmUnavailableError(`the chat's ticket (${key}) is not created yet`);
  const ticket = await crm.getTicket(recorded.id);
  if (!ticket || ticket.closed) return { outcome: 'ticket_closed', ticketId: recorded.id };

  const media = await deps.media.download(request.media.id, request.chat.channel);
  const file = {
    messageId: request.messageId,
    mediaId: request.media.id,
    channel: request.chat.channel,
    filename: attachmentName(request, media.mimeType),
    mimeType: media.mimeType,
    bytes: media.bytes,
    sha256: media.sha256,
  };
  const finish = async (attachmentId: string): Promise<AttachResult> => {
    await deps.attachments.saveDone(request.messageId, attachmentId);
    deps.logger.info({ ticketId: ticket.id, attachmentId, size: file.bytes.length }, 'attachment added to ticket');
    return { outcome: 'attached', ticketId: ticket.id, attachmentId };
  };

  if (await deps.attachments.attempted(request.messageId)) {
    const found = await crm.findAttachment(ticket.id, file);
    if (found) return finish(found.id);
  }
  await deps.attachments.markAttempted(request.messageId);
  try {
    const attached = await crm.attachFile(ticket.id, file);
    return finish(attached.id);
  } catch (error) {
    if (!(error instanceof CrmAmbiguousError)) throw error;
    const found = await crm.findAttachment(ticket.id, file).catch(() => undefined);
    if (found) return finish(found.id);
    throw error;
  }
}
