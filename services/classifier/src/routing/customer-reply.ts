import type { Language } from '@helpline/contracts';
import { replyText } from './acknowledgement.js';
import type { ReplyTexts } from './reply-texts.js';
import type { RoutingDecision } from './routing-decision.js';

/** What the customer would be sent for a routing decision, without sending it (POST /classify). */
export interface CustomerReply {
  action: RoutingDecision['action'];
  /** The reply's text; absent for `accounts`, whose service answers from the customer's data. */
  text?: string;
  /** The assistant's answer is in `text` (as the whole reply, or after the acknowledgement). */
  includesAnswer: boolean;
}

export function customerReply(decision: RoutingDecision, language: Language, replies: ReplyTexts): CustomerReply {
  if (decision.action === 'accounts') return { action: 'accounts', includesAnswer: false };
  const { text, answered } = replyText({
    action: decision.action,
    reply: decision.reply,
    texts: replies[language],
    ...(decision.answer ? { answer: decision.answer } : {}),
  });
  return { action: decision.action, text, includesAnswer: answered !== undefined };
}
