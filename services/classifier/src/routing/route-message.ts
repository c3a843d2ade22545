import {
  type Classification,
  type InboundMessage,
  isOneToOneChannel,
  jobIds,
  type OutboundMessageInput,
} from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { AssistantAnswer } from '../assistant/assistant.js';
import { acknowledgement } from './acknowledgement.js';
import type { ReplyKey } from './reply-texts.js';
import type { EnqueuedJob, RouterDeps, RoutingAction, RoutingOutcome } from './routing-outcome.js';
import { isKnownCustomer, mentionTag, senderPhoneOf } from './sender.js';
import { accountRequest, diagnosticRequest, ticketRequest } from './work-requests.js';

export type { EnqueuedJob, RouterDeps, RoutingAction, RoutingOutcome } from './routing-outcome.js';

const ACCOUNT_CATEGORIES = new Set(['billing', 'account', 'sales']);

export interface RouteExtras {
  answer?: AssistantAnswer;
  transcript?: string;
  /** A question about the customer's own account (the accounts service's, never the assistant's). */
  ownAccount?: boolean;
}

/**
 * A question the account itself answers (what do I owe, where do I pay, which plans);
 * a dispute that needs a person (`needsTicket`) still becomes a ticket. A general
 * question the knowledge base answers ("which plans do you have?") keeps that answer;
 * a question about the customer's own account always goes to the accounts service.
 */
function isForAccounts(
  message: InboundMessage,
  classification: Classification,
  phone: string | undefined,
  extras: RouteExtras,
): phone is string {
  return Boolean(
    isOneToOneChannel(message.channel) &&
      phone &&
      ACCOUNT_CATEGORIES.has(classification.category) &&
      !classification.needsTicket &&
      (extras.ownAccount || extras.answer?.kind !== 'answer'),
  );
}

interface Work {
  action: RoutingAction;
  reply: ReplyKey;
  jobs: EnqueuedJob[];
  note?: string;
}

/** Rules 1 to 6 (docs/services/classifier.md): the work queued, and which reply says so. */
async function enqueueWork(
  deps: RouterDeps,
  message: InboundMessage,
  classification: Classification,
  phone: string | undefined,
  answer: AssistantAnswer | undefined,
  logger: Logger,
): Promise<Work> {
  const correlationId = message.correlationId;
  if (classification.category === 'human') return { action: 'handoff', reply: 'handoff', jobs: [] };
  if (classification.category === 'connectivity' && isKnownCustomer(message)) {
    const request = diagnosticRequest(message, classification, phone, deps.clock());
    const result = await deps.diagnostics.add(request, {
      jobId: jobIds.diagnostics(correlationId),
      reportDuplicate: true,
    });
    return { action: 'diagnostics', reply: 'diagnosing', jobs: [{ queue: 'diagnostics', ...result }] };
  }
  if (classification.needsTicket && phone) {
    const request = ticketRequest(message, classification, phone);
    const result = await deps.tickets.add(request, { jobId: jobIds.ticket(correlationId), reportDuplicate: true });
    return { action: 'ticket', reply: 'ticket', jobs: [{ queue: 'tickets', ...result }] };
  }
  if (answer) {
    // The assistant's answer is the reply: to a question, or to a greeting that asked one.
    return { action: answer.kind === 'answer' ? 'answer' : 'not_found', reply: 'received', jobs: [] };
  }
  if (classification.category === 'greeting') return { action: 'greeting', reply: 'greeting', jobs: [] };
  let note: string | undefined;
  if (classification.needsTicket) {
    // A ticket needs a way to reach the person; a group member known only by a LID has none.
    note = 'no phone number for the sender: no ticket opened, staff follow up in the chat';
    logger.warn({ category: classification.category }, note);
  }
  return { action: 'ack_only', reply: 'received', jobs: [], ...(note ? { note } : {}) };
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
    extras: RouteExtras = {},
  ): Promise<RoutingOutcome> {
    const correlationId = message.correlationId;
    const phone = senderPhoneOf(message);

    if (deps.accounts && isForAccounts(message, classification, phone, extras)) {
      const request = accountRequest(message, classification, phone, deps.clock(), extras.transcript);
      const result = await deps.accounts.add(request, {
        jobId: jobIds.accounts(correlationId, 'message'),
        reportDuplicate: true,
      });
      deps.metrics.routing.inc({ action: 'accounts' });
      return { action: 'accounts', jobs: [{ queue: 'accounts', ...result }] };
    }

    // Never an answer to an own-account question, whoever produced one.
    const answer = extras.ownAccount ? undefined : extras.answer;
    const { action, reply, jobs, note } = await enqueueWork(deps, message, classification, phone, answer, logger);
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
