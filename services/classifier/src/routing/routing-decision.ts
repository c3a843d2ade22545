// What routing will do with a classified message, decided without doing it: the router
// performs the decision (queues the work and the reply), and POST /classify reports it, so
// the two never disagree about what the customer gets.
import { type Classification, type InboundMessage, isOneToOneChannel } from '@helpline/contracts';
import type { AssistantAnswer } from '../assistant/assistant.js';
import type { ReplyKey } from './reply-texts.js';
import { isKnownCustomer, senderPhoneOf } from './sender.js';

/** What routing needs to know about the sender and the deployment. */
export interface RoutingFacts {
  /** A one-to-one chat (Cloud API, Twilio), not a group. */
  oneToOne: boolean;
  /** The message discloses the sender's phone: a ticket and the accounts service need it. */
  hasPhone: boolean;
  /** Diagnosable: the gateway matched a customer, or a one-to-one chat carries the phone. */
  knownCustomer: boolean;
}

export function routingFactsOf(message: InboundMessage): RoutingFacts {
  return {
    oneToOne: isOneToOneChannel(message.channel),
    hasPhone: senderPhoneOf(message) !== undefined,
    knownCustomer: isKnownCustomer(message),
  };
}

export interface RoutingExtras {
  answer?: AssistantAnswer;
  /** A question about the customer's own account (the accounts service's, never the assistant's). */
  ownAccount?: boolean;
}

/**
 * What rules 1 to 6 decide: `reply` is the acknowledgement's text and `answer` the
 * assistant's answer that goes with it (as the reply itself for `answer`/`not_found`; after
 * the acknowledgement when work is queued; never with a handoff, see acknowledgement.ts).
 */
export interface WorkDecision {
  action: 'handoff' | 'diagnostics' | 'ticket' | 'answer' | 'not_found' | 'greeting' | 'ack_only';
  reply: ReplyKey;
  answer?: AssistantAnswer;
  /** Why a ticket the classification asked for is not opened. */
  note?: string;
}

/** Rule 0 as well: `accounts`, the accounts service gives the one answer and nothing else is sent here. */
export type RoutingDecision = { action: 'accounts' } | WorkDecision;

const ACCOUNT_CATEGORIES = new Set(['billing', 'account', 'sales']);

/**
 * A question the account itself answers (what do I owe, where do I pay, which plans);
 * a dispute that needs a person (`needsTicket`) still becomes a ticket. A general
 * question the knowledge base answers ("which plans do you have?") keeps that answer;
 * a question about the customer's own account always goes to the accounts service.
 */
export function isForAccounts(classification: Classification, facts: RoutingFacts, extras: RoutingExtras): boolean {
  return (
    facts.oneToOne &&
    facts.hasPhone &&
    ACCOUNT_CATEGORIES.has(classification.category) &&
    !classification.needsTicket &&
    (extras.ownAccount === true || extras.answer?.kind !== 'answer')
  );
}

/** Rules 1 to 6 (docs/services/classifier.md, "Routing"), for a message the accounts service does not take. */
export function decideWork(
  classification: Classification,
  facts: RoutingFacts,
  extras: RoutingExtras = {},
): WorkDecision {
  // Never an answer to an own-account question, whoever produced one.
  const answer = extras.ownAccount ? undefined : extras.answer;
  const withAnswer = answer ? { answer } : {};
  if (classification.category === 'human') return { action: 'handoff', reply: 'handoff', ...withAnswer };
  if (classification.category === 'connectivity' && facts.knownCustomer)
    return { action: 'diagnostics', reply: 'diagnosing', ...withAnswer };
  if (classification.needsTicket && facts.hasPhone) return { action: 'ticket', reply: 'ticket', ...withAnswer };
  // The assistant's answer is the reply: to a question, or to a greeting that asked one.
  if (answer) return { action: answer.kind === 'answer' ? 'answer' : 'not_found', reply: 'received', answer };
  if (classification.category === 'greeting') return { action: 'greeting', reply: 'greeting' };
  // A ticket needs a way to reach the person; a group member known only by a LID has none.
  const note = classification.needsTicket
    ? 'no phone number for the sender: no ticket opened, staff follow up in the chat'
    : undefined;
  return { action: 'ack_only', reply: 'received', ...(note ? { note } : {}) };
}

/** Rule 0 (the accounts service, when it is on), then rules 1 to 6. */
export function decideRouting(
  classification: Classification,
  facts: RoutingFacts,
  extras: RoutingExtras,
  accountsEnabled: boolean,
): RoutingDecision {
  if (accountsEnabled && isForAccounts(classification, facts, extras)) return { action: 'accounts' };
  return decideWork(classification, facts, extras);
}
