// What every action of a stored decision needs: the message, its plan, the chat, where
// replies go and how the message is logged.
import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import { messageReceived } from '../../events/conversation-events.js';
import type { ChatRecord, LogEntry } from '../chat-records.js';
import type { Plan } from '../decide.js';
import type { InboundHandlerDeps } from '../handle-inbound.js';
import type { ReplyAddress } from '../replies.js';
import { HISTORY_TURNS, type InboundEffects } from './inbound-effects.js';
import { inboundEntry } from './inbound-entries.js';

export interface PlanTurn {
  deps: InboundHandlerDeps;
  effects: InboundEffects;
  message: InboundMessage;
  chat: ChatRecord | undefined;
  plan: Plan;
  log: Logger;
  chatId: string;
  at: Date;
  atMs: number;
  /** Where the replies to this message go. */
  to: ReplyAddress;
  /** Logs the message (with why it was not handled further, when it was not). */
  logIt(skipped?: LogEntry['skipped']): Promise<unknown>;
  /** Logs the message, and reads the turns before it back in the same script, for the classifier. */
  logAndRecall(): ReturnType<InboundHandlerDeps['store']['appendAndRecall']>;
}

export function planTurn(
  deps: InboundHandlerDeps,
  effects: InboundEffects,
  turn: { message: InboundMessage; chat: ChatRecord | undefined; plan: Plan; log: Logger },
): PlanTurn {
  const { message, chat, plan } = turn;
  const chatId = message.chatId;
  const at = new Date(plan.at);
  const atMs = at.getTime();
  return {
    deps,
    effects,
    ...turn,
    chatId,
    at,
    atMs,
    to: { chatId, correlationId: message.id, language: plan.language, channel: message.channel },
    logIt: (skipped) => {
      const entry = inboundEntry(message, chat?.customerId, skipped);
      return deps.store.append(chatId, entry, atMs, messageReceived(message, entry));
    },
    logAndRecall: () => {
      const entry = inboundEntry(message, chat?.customerId);
      return deps.store.appendAndRecall(chatId, entry, atMs, messageReceived(message, entry), HISTORY_TURNS);
    },
  };
}
