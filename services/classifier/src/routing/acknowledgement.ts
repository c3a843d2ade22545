// The one acknowledgement every routed message gets (rule 0, the accounts service's, aside):
// the reply text for what was done, the assistant's answer in it or instead of it, and what
// the gateway records beside it.
import type { Classification, InboundMessage, OutboundMessageInput } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import { WHATSAPP_TEXT_MAX } from '../answer/llm-reply.js';
import type { AssistantAnswer } from '../assistant/assistant.js';
import type { ReplyKey, ReplyTexts } from './reply-texts.js';
import type { RoutingAction } from './routing-outcome.js';
import { mentionTag } from './sender.js';

export interface AcknowledgementInput {
  message: InboundMessage;
  classification: Classification;
  action: RoutingAction;
  reply: ReplyKey;
  replies: ReplyTexts;
  answer?: AssistantAnswer;
  transcript?: string;
  logger: Logger;
}

/** What the acknowledgement says, before any group mention. */
export interface ReplyText {
  text: string;
  /** The answer the text carries, if any: recorded on the log entry as `meta.answer`. */
  answered?: AssistantAnswer;
}

/**
 * The reply's text for what was done: the assistant's answer instead of the reply text when
 * it is the reply (`answer`, `not_found`); after the reply text when work was queued and both
 * fit in one WhatsApp message beside the `reserved` characters (a group mention); never with
 * a handoff (the person answers). Pure: POST /classify shows it without sending it.
 */
export function replyText(input: {
  action: RoutingAction;
  reply: ReplyKey;
  texts: ReplyTexts['es'];
  answer?: AssistantAnswer;
  reserved?: number;
  logger?: Logger;
}): ReplyText {
  const { action, answer } = input;
  const text = input.texts[input.reply];
  if (answer && (action === 'answer' || action === 'not_found')) return { text: answer.text, answered: answer };
  if (answer?.kind === 'answer' && action !== 'handoff') {
    // Work was queued: the acknowledgement says so, and the answer follows in the same text when it fits.
    const joined = `${text}\n\n${answer.text}`;
    if ((input.reserved ?? 0) + joined.length <= WHATSAPP_TEXT_MAX) return { text: joined, answered: answer };
    input.logger?.warn({ action, chars: joined.length }, 'answer left out: with the acknowledgement it is over 4096');
  }
  return { text };
}

export function acknowledgement(input: AcknowledgementInput): OutboundMessageInput {
  const { message, classification, action, answer, transcript, logger } = input;
  const mention = message.channel === 'group' ? `${mentionTag(message.from)} ` : '';
  const { text, answered } = replyText({
    action,
    reply: input.reply,
    texts: input.replies[classification.language],
    ...(answer ? { answer } : {}),
    reserved: mention.length,
    logger,
  });
  const body = `${mention}${text}`.slice(0, WHATSAPP_TEXT_MAX);
  return {
    correlationId: message.correlationId,
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
}
