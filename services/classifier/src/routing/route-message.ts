import { type Classification, type InboundMessage, jobIds, type OutboundMessageInput } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { AssistantAnswer } from '../assistant/assistant.js';
import { acknowledgement } from './acknowledgement.js';
import { decideWork, isForAccounts, routingFactsOf, type WorkDecision } from './routing-decision.js';
import type { EnqueuedJob, RouterDeps, RoutingOutcome } from './routing-outcome.js';
import { mentionTag, senderPhoneOf } from './sender.js';
import { accountRequest, diagnosticRequest, ticketRequest } from './work-requests.js';

export type { EnqueuedJob, RouterDeps, RoutingAction, RoutingOutcome } from './routing-outcome.js';

export interface RouteExtras {
  answer?: AssistantAnswer;
  transcript?: string;
  /** A question about the customer's own account (the accounts service's, never the assistant's). */
  ownAccount?: boolean;
}

/** The work a decision queues before its acknowledgement (rules 2 and 3): a diagnosis or a ticket. */
async function enqueueWork(
  deps: RouterDeps,
  message: InboundMessage,
  classification: Classification,
  phone: string | undefined,
  decision: WorkDecision,
): Promise<EnqueuedJob[]> {
  const correlationId = message.correlationId;
  if (decision.action === 'diagnostics') {
    const request = diagnosticRequest(message, classification, phone, deps.clock());
    const result = await deps.diagnostics.add(request, {
      jobId: jobIds.diagnostics(correlationId),
      reportDuplicate: true,
    });
    return [{ queue: 'diagnostics', ...result }];
  }
  if (decision.action === 'ticket' && phone) {
    const request = ticketRequest(message, classification, phone);
    const result = await deps.tickets.add(request, { jobId: jobIds.ticket(correlationId), reportDuplicate: true });
    return [{ queue: 'tickets', ...result }];
  }
  return [];
}

/**
 * What happens after classification, as routing-decision.ts decides it. One of: a diagnosis
 * (connectivity from a known customer; the network service opens a ticket if it finds a
 * fault), a ticket, a handoff to a person, a greeting; and always exactly one
 * acknowledgement to the chat, enqueued last so that it only promises work that is already
 * stored. A customer's billing, account or sales question (no ticket needed) goes to the
 * accounts service instead, which gives the one answer itself. Every job id comes from the
 * correlation id, so running this twice for one message adds nothing the second time.
 */
export function createRouter(deps: RouterDeps) {
  return async function route(
    message: InboundMessage,
    classification: Classification,
    logger: Logger,
    extras: RouteExtras = {},
  ): Promise<RoutingOutcome> {
    const correlationId = message.correlationId;
    const phone = senderPhoneOf(message);
    const facts = routingFactsOf(message);

    // Rule 0, as POST /classify reports it (routing-decision.ts's decideRouting).
    if (deps.accounts && phone && isForAccounts(classification, facts, extras)) {
      const request = accountRequest(message, classification, phone, deps.clock(), extras.transcript);
      const result = await deps.accounts.add(request, {
        jobId: jobIds.accounts(correlationId, 'message'),
        reportDuplicate: true,
      });
      deps.metrics.routing.inc({ action: 'accounts' });
      return { action: 'accounts', jobs: [{ queue: 'accounts', ...result }] };
    }

    const decision = decideWork(classification, facts, extras);
    const { action, reply, answer, note } = decision;
    if (note) logger.warn({ category: classification.category }, note);
    const jobs = await enqueueWork(deps, message, classification, phone, decision);
    const ack = acknowledgement({
      message,
      classification,
      action,
      reply,
      replies: deps.replies,
      ...(answer ? { answer } : {}),
      ...(extras.transcript ? { transcript: extras.transcript } : {}),
      logger,
    });
    const ackResult = await deps.outbound.add(ack, {
      jobId: jobIds.outbound(correlationId, 'ack'),
      reportDuplicate: true,
    });
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
    const result = await deps.outbound.add(ack, {
      jobId: jobIds.outbound(message.correlationId, 'ack'),
      reportDuplicate: true,
    });
    deps.metrics.routing.inc({ action: 'ask_to_write' });
    return { action: 'ask_to_write', jobs: [{ queue: 'outbound', ...result }] };
  };
}

export type AskToWrite = ReturnType<typeof createAskToWrite>;
