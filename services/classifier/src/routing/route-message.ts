import {
  type Classification,
  type DiagnosticRequestInput,
  type InboundMessage,
  jobIds,
  type OutboundMessageInput,
  type ReplyTargetInput,
  type TicketRequestInput,
} from '@helpline/contracts';
import type { Logger, Producer } from '@helpline/runtime';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { ReplyKey, ReplyTexts } from './reply-texts.js';
import { isKnownCustomer, mentionTag, senderPhoneOf } from './sender.js';

export type RoutingAction = 'diagnostics' | 'ticket' | 'handoff' | 'greeting' | 'ack_only';

export interface EnqueuedJob {
  queue: 'diagnostics' | 'tickets' | 'outbound';
  jobId: string;
  /** The job was already there (a retried inbound job): nothing new was added. */
  duplicate: boolean;
}

export interface RoutingOutcome {
  action: RoutingAction;
  jobs: EnqueuedJob[];
  /** Why a ticket the classification asked for was not opened. */
  note?: string;
}

export interface RouterDeps {
  diagnostics: Producer<'diagnostics'>;
  tickets: Producer<'tickets'>;
  outbound: Producer<'outbound'>;
  replies: ReplyTexts;
  metrics: ClassifierMetrics;
  clock: () => Date;
}

const REPORTED_TEXT_MAX = 4_096;

function replyTarget(message: InboundMessage, classification: Classification): ReplyTargetInput {
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

/**
 * What happens after classification. One of: a diagnosis (connectivity from a known
 * customer; the network service opens a ticket if it finds a fault), a ticket, a handoff to
 * a person, a greeting; and always exactly one acknowledgement to the chat, enqueued last so
 * that it only promises work that is already stored. Every job id comes from the
 * correlation id, so running this twice for one message adds nothing the second time.
 */
export function createRouter(deps: RouterDeps) {
  return async function route(
    message: InboundMessage,
    classification: Classification,
    logger: Logger,
  ): Promise<RoutingOutcome> {
    const correlationId = message.correlationId;
    const jobs: EnqueuedJob[] = [];
    let action: RoutingAction;
    let reply: ReplyKey;
    let note: string | undefined;
    const phone = senderPhoneOf(message);

    if (classification.category === 'human') {
      action = 'handoff';
      reply = 'handoff';
    } else if (classification.category === 'connectivity' && isKnownCustomer(message)) {
      const request: DiagnosticRequestInput = {
        correlationId,
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
        requestedAt: deps.clock().toISOString(),
      };
      const result = await deps.diagnostics.add(request, { jobId: jobIds.diagnostics(correlationId) });
      jobs.push({ queue: 'diagnostics', ...result });
      action = 'diagnostics';
      reply = 'diagnosing';
    } else if (classification.needsTicket && phone) {
      const request: TicketRequestInput = {
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
      const result = await deps.tickets.add(request, { jobId: jobIds.ticket(correlationId) });
      jobs.push({ queue: 'tickets', ...result });
      action = 'ticket';
      reply = 'ticket';
    } else if (classification.category === 'greeting') {
      action = 'greeting';
      reply = 'greeting';
    } else {
      if (classification.needsTicket) {
        // A ticket needs a way to reach the person; a group member known only by a LID has none.
        note = 'no phone number for the sender: no ticket opened, staff follow up in the chat';
        logger.warn({ category: classification.category }, note);
      }
      action = 'ack_only';
      reply = 'received';
    }

    const texts = deps.replies[classification.language];
    const body = message.channel === 'group' ? `${mentionTag(message.from)} ${texts[reply]}` : texts[reply];
    const ack: OutboundMessageInput = {
      correlationId,
      purpose: 'ack',
      channel: message.channel,
      to: message.chatId,
      content: { kind: 'text', body },
      ...(message.channel === 'group' ? { mentions: [message.from], replyTo: message.id } : {}),
      meta: { classification, ...(action === 'handoff' ? { handoff: true } : {}) },
    };
    const ackResult = await deps.outbound.add(ack, { jobId: jobIds.outbound(correlationId, 'ack') });
    jobs.push({ queue: 'outbound', ...ackResult });
    deps.metrics.routing.inc({ action });
    return { action, jobs, ...(note ? { note } : {}) };
  };
}

export type Router = ReturnType<typeof createRouter>;
