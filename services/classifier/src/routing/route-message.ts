import {
  type AccountRequestInput,
  type Classification,
  type DiagnosticRequestInput,
  type InboundMessage,
  isOneToOneChannel,
  jobIds,
  type OutboundMessageInput,
  type ReplyTargetInput,
  type TicketRequestInput,
} from '@helpline/contracts';
import type { Logger, Producer } from '@helpline/runtime';
import type { AssistantAnswer } from '../assistant/assistant.js';
import { WHATSAPP_TEXT_MAX } from '../answer/llm-reply.js';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { ReplyKey, ReplyTexts } from './reply-texts.js';
import { isKnownCustomer, mentionTag, senderPhoneOf } from './sender.js';

export type RoutingAction =
  | 'diagnostics'
  | 'ticket'
  | 'handoff'
  | 'greeting'
  | 'ack_only'
  | 'answer'
  | 'not_found'
  | 'ask_to_write'
  /** Not a routing of its own: the message joined a burst whose first message answers for it. */
  | 'merged'
  /** A customer's account question: the accounts service answers it. */
  | 'accounts';

export interface EnqueuedJob {
  queue: 'diagnostics' | 'tickets' | 'outbound' | 'accounts';
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
  /** The accounts service's queue: a customer's billing, account and sales messages go there. */
  accounts?: Producer<'accounts'>;
  replies: ReplyTexts;
  metrics: ClassifierMetrics;
  clock: () => Date;
}

const REPORTED_TEXT_MAX = 4_096;
const ACCOUNT_CATEGORIES = new Set(['billing', 'account', 'sales']);

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
 * that it only promises work that is already stored. A customer's billing, account or sales
 * question (no ticket needed) goes to the accounts service instead, which gives the one
 * answer itself. Every job id comes from the
 * correlation id, so running this twice for one message adds nothing the second time.
 */
export function createRouter(deps: RouterDeps) {
  return async function route(
    message: InboundMessage,
    classification: Classification,
    logger: Logger,
    extras: {
      answer?: AssistantAnswer;
      transcript?: string;
      /** A question about the customer's own account (the accounts service's, never the assistant's). */
      ownAccount?: boolean;
    } = {},
  ): Promise<RoutingOutcome> {
    const { transcript } = extras;
    // Never an answer to an own-account question, whoever produced one.
    const answer = extras.ownAccount ? undefined : extras.answer;
    const correlationId = message.correlationId;
    const jobs: EnqueuedJob[] = [];
    let action: RoutingAction;
    let reply: ReplyKey;
    let note: string | undefined;
    const phone = senderPhoneOf(message);

    // A question the account itself answers (what do I owe, where do I pay, which plans);
    // a dispute that needs a person (`needsTicket`) still becomes a ticket below. A general
    // question the knowledge base answers ("which plans do you have?") keeps that answer;
    // a question about the customer's own account always goes to the accounts service.
    if (
      deps.accounts &&
      isOneToOneChannel(message.channel) &&
      phone &&
      ACCOUNT_CATEGORIES.has(classification.category) &&
      !classification.needsTicket &&
      (extras.ownAccount || extras.answer?.kind !== 'answer')
    ) {
      const request: AccountRequestInput = {
        kind: 'message',
        correlationId,
        replyTo: replyTarget(message, classification),
        phone,
        requestedAt: deps.clock().toISOString(),
        text: message.text.slice(0, REPORTED_TEXT_MAX),
        category: classification.category as 'billing' | 'account' | 'sales',
        classification,
      };
      const result = await deps.accounts.add(request, { jobId: jobIds.accounts(correlationId, 'message') });
      deps.metrics.routing.inc({ action: 'accounts' });
      return { action: 'accounts', jobs: [{ queue: 'accounts', ...result }] };
    }

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
    } else if (answer) {
      // The assistant's answer is the reply: to a question, or to a greeting that asked one.
      action = answer.kind === 'answer' ? 'answer' : 'not_found';
      reply = 'received';
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
    const mention = message.channel === 'group' ? `${mentionTag(message.from)} ` : '';
    let text = texts[reply];
    let answered: AssistantAnswer | undefined;
    if (answer && (action === 'answer' || action === 'not_found')) {
      text = answer.text;
      answered = answer;
    } else if (answer?.kind === 'answer' && action !== 'handoff') {
      // Work was queued: the acknowledgement says so, and the answer follows in the same text when it fits.
      const joined = `${text}\n\n${answer.text}`;
      if (mention.length + joined.length <= WHATSAPP_TEXT_MAX) {
        text = joined;
        answered = answer;
      } else logger.warn({ action, chars: joined.length }, 'answer left out: with the acknowledgement it is over 4096');
    }
    const body = `${mention}${text}`.slice(0, WHATSAPP_TEXT_MAX);
    const ack: OutboundMessageInput = {
      correlationId,
      purpose: 'ack',
      channel: message.channel,
      to: message.chatId,
      content: { kind: 'text', body },
      ...(message.channel === 'group' ? { mentions: [message.from], replyTo: message.id } : {}),
      meta: {
        classification,
        ...(action === 'handoff' ? { handoff: true } : {}),
        ...(answered
          ? { answer: { source: answered.source, entries: answered.entries.map((e) => e.heading.slice(0, 300)) } }
          : {}),
        // A voice note: its words, for the gateway's log beside the audio.
        ...(transcript ? { transcript: transcript.slice(0, 8_000) } : {}),
      },
    };
    const ackResult = await deps.outbound.add(ack, { jobId: jobIds.outbound(correlationId, 'ack') });
    jobs.push({ queue: 'outbound', ...ackResult });
    deps.metrics.routing.inc({ action });
    return { action, jobs, ...(note ? { note } : {}) };
  };
}

export type Router = ReturnType<typeof createRouter>;

/**
 * A voice note nobody could hear (no provider that transcribes, or the download or every
 * transcriber failed): one reply asking the customer to write, as the message's
 * acknowledgement, so a retried job adds nothing twice.
 */
export function createAskToWrite(deps: Pick<RouterDeps, 'outbound' | 'replies' | 'metrics'>) {
  return async function askToWrite(
    message: InboundMessage,
    language: 'es' | 'en',
    reason: 'voice_unsupported' | 'voice_failed',
  ): Promise<RoutingOutcome> {
    const text = deps.replies[language][reason];
    const body = message.channel === 'group' ? `${mentionTag(message.from)} ${text}` : text;
    const ack: OutboundMessageInput = {
      correlationId: message.correlationId,
      purpose: 'ack',
      channel: message.channel,
      to: message.chatId,
      content: { kind: 'text', body },
      ...(message.channel === 'group' ? { mentions: [message.from], replyTo: message.id } : {}),
    };
    const result = await deps.outbound.add(ack, { jobId: jobIds.outbound(message.correlationId, 'ack') });
    deps.metrics.routing.inc({ action: 'ask_to_write' });
    return { action: 'ask_to_write', jobs: [{ queue: 'outbound', ...result }] };
  };
}

export type AskToWrite = ReturnType<typeof createAskToWrite>;
