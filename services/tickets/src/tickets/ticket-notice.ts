import { jobIds, type OutboundMessageInput, type TicketRequest } from '@helpline/contracts';
import type { CrmTicket } from '../crm/crm-adapter.js';
import { fill, textsFor } from './texts.js';

export const NOTICE_PURPOSE = 'ticket';

/** `573001112233@s.whatsapp.net` -> `@573001112233`, the way WhatsApp shows a mention. */
function mentionText(jid: string): string {
  return `@${jid.split('@')[0]?.split(':')[0] ?? jid}`;
}

/**
 * The message that tells the customer the ticket number, in their language; in a group
 * it mentions the reporter. Its job id comes from the correlation id, so a job that runs
 * twice announces once.
 */
export function buildTicketNotice(
  request: TicketRequest,
  ticket: CrmTicket,
): { message: OutboundMessageInput; jobId: string } | undefined {
  const target = request.replyTo;
  if (!target) return undefined;
  const t = textsFor(target.language);
  const mention = target.channel === 'group' ? target.mention : undefined;
  const body = mention
    ? fill(t.groupTicketCreated, { number: ticket.number, mention: mentionText(mention) })
    : fill(t.ticketCreated, { number: ticket.number });
  return {
    jobId: jobIds.outbound(request.correlationId, NOTICE_PURPOSE),
    message: {
      correlationId: request.correlationId,
      purpose: NOTICE_PURPOSE,
      channel: target.channel,
      to: target.chatId,
      content: { kind: 'text', body },
      mentions: mention ? [mention] : undefined,
      replyTo: target.replyToMessageId,
    },
  };
}
