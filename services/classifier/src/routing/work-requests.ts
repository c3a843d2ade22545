// The payloads routing puts on the other services' queues, built from the message and its
// classification. Pure: the router decides which one, and enqueues it.
import type {
  AccountRequestInput,
  Classification,
  DiagnosticRequestInput,
  InboundMessage,
  ReplyTargetInput,
  TicketRequestInput,
} from '@helpline/contracts';
import { jobIds } from '@helpline/contracts';

const REPORTED_TEXT_MAX = 4_096;
const TRANSCRIPT_MAX = 8_000;

export function replyTarget(message: InboundMessage, classification: Classification): ReplyTargetInput {
  return {
    channel: message.channel,
    chatId: message.chatId,
    ...(message.channel === 'group' ? { mention: message.from } : {}),
    replyToMessageId: message.id,
    language: classification.language,
  };
}

function ticketDescription(message: InboundMessage, classification: Classification): string {
  const e = classification.entities;
  const lines = [
    message.text || `(${message.type} without text)`,
    '',
    `Channel: ${message.channel}${message.senderName ? ` · From: ${message.senderName}` : ''}`,
    `Classified by ${classification.source} (confidence ${classification.confidence}) as ${classification.category}/${classification.priority}`,
  ];
  if (e.ips.length) lines.push(`IP: ${e.ips.join(', ')}`);
  if (e.documentNumbers.length) lines.push(`Document: ${e.documentNumbers.join(', ')}`);
  if (e.ticketNumbers.length) lines.push(`Earlier tickets: ${e.ticketNumbers.join(', ')}`);
  return lines.join('\n').slice(0, 32_000);
}

/** `transcript`: the voice note's words, when the message was one (its log entry keeps them). */
export function accountRequest(
  message: InboundMessage,
  classification: Classification,
  phone: string,
  now: Date,
  transcript?: string,
): AccountRequestInput {
  return {
    kind: 'message',
    correlationId: message.correlationId,
    replyTo: replyTarget(message, classification),
    phone,
    requestedAt: now.toISOString(),
    text: message.text.slice(0, REPORTED_TEXT_MAX),
    category: classification.category as 'billing' | 'account' | 'sales',
    classification,
    ...(transcript ? { transcript: transcript.slice(0, TRANSCRIPT_MAX) } : {}),
  };
}

export function diagnosticRequest(
  message: InboundMessage,
  classification: Classification,
  phone: string | undefined,
  now: Date,
): DiagnosticRequestInput {
  return {
    correlationId: message.correlationId,
    customer: {
      ...(message.customer?.customerId ? { customerId: message.customer.customerId } : {}),
      ...(phone ? { phone } : {}),
      ...(classification.entities.documentNumbers[0]
        ? { documentNumber: classification.entities.documentNumbers[0] }
        : {}),
    },
    replyTo: replyTarget(message, classification),
    // Always, and explicitly: no ticket is opened here, so a fault or a diagnosis that
    // cannot tell (an unknown phone, an unreachable router) must end in the network's ticket.
    openTicketOnFailure: true,
    reportedText: message.text.slice(0, REPORTED_TEXT_MAX),
    requestedAt: now.toISOString(),
  };
}

export function ticketRequest(
  message: InboundMessage,
  classification: Classification,
  phone: string,
): TicketRequestInput {
  const correlationId = message.correlationId;
  return {
    idempotencyKey: jobIds.ticket(correlationId),
    correlationId,
    subject: classification.summary.slice(0, 255),
    description: ticketDescription(message, classification),
    priority: classification.priority,
    category: classification.category,
    contact: {
      phone,
      ...(message.senderName?.trim() ? { name: message.senderName.trim() } : {}),
      ...(message.customer?.customerId ? { customerId: message.customer.customerId } : {}),
    },
    channel: message.channel,
    replyTo: replyTarget(message, classification),
  };
}
