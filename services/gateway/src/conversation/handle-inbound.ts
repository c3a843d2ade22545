import { type ConversationEvent, type InboundMessage, isOneToOneChannel } from '@helpline/contracts';
import { forCorrelation, type Logger, type Producer } from '@helpline/runtime';
import { messageReceived } from '../events/conversation-events.js';
import type { MessageSink } from '../ingest/message-sink.js';
import type { ConversationMetrics } from './conversation-metrics.js';
import type { ConversationStore } from './conversation-store.js';
import { decide, type Plan } from './decide.js';
import type { Handoff } from './handoff.js';
import { actOnPlan } from './inbound/act-on-plan.js';
import { countDecision } from './inbound/count-decision.js';
import { offerToOpenTicket } from './inbound/offer-to-open-ticket.js';
import { createInboundEffects } from './inbound/inbound-effects.js';
import type { Replies } from './replies.js';

export { HISTORY_TURNS } from './inbound/inbound-effects.js';

export interface InboundHandlerDeps {
  store: ConversationStore;
  /** Appends a support group's message to the desk's event stream (groups have no conversation log). */
  recordGroupEvent?: (event: ConversationEvent) => Promise<void>;
  /** The plain enqueuer onto `inbound` for group messages (their outcome is the webhook's count). */
  enqueue: MessageSink;
  /**
   * `inbound` itself, for a conversation's message to classify: the gate has already told a
   * redelivery apart, so nothing asks the queue whether the job was there.
   */
  inbound: Producer<'inbound'>;
  outbound: Producer<'outbound'>;
  diagnostics: Producer<'diagnostics'>;
  /** The tickets queue: a document or photo is offered to the chat's open ticket. */
  tickets?: Producer<'tickets'>;
  /** The accounts service's queue; absent, billing and plans answer from the data file. */
  accounts?: Producer<'accounts'>;
  replies: Replies;
  handoff: Handoff;
  metrics: ConversationMetrics;
  clock: () => Date;
  noticeVersion: string;
  rateLimitPerMinute: number;
}

/**
 * The conversation's gate in front of `inbound`. Each Cloud API message is decided on once
 * (the decision is stored before anything else happens), its effects are written with ids
 * derived from the message id (`inbound/act-on-plan.ts`), and only then is it marked
 * handled. A redelivery after a crash halfway repeats the same decision and adds nothing
 * twice; one after completion is answered `duplicate` at once.
 */
export function createInboundHandler(deps: InboundHandlerDeps): MessageSink {
  const { store } = deps;
  const effects = createInboundEffects(deps);

  async function handleCloud(message: InboundMessage, parentLog: Logger): Promise<'accepted' | 'duplicate'> {
    const now = deps.clock();
    const minute = Math.floor(now.getTime() / 60_000);
    // One round trip: handled already? the chat, the message counted in its minute, and a
    // decision an unfinished earlier delivery stored.
    const gate = await store.openGate<Plan>({
      chatId: message.chatId,
      messageId: message.id,
      minute,
      rateLimit: deps.rateLimitPerMinute,
    });
    if (gate.handled) return 'duplicate';
    const log = forCorrelation(parentLog, message.id);
    const { chat, countInMinute, holdsRateNotice } = gate;

    // The channel it wrote on is noted too: notices and broadcasts follow the customer there.
    const channel = message.channel === 'twilio' ? 'twilio' : 'cloud';
    let plan: Plan;
    let fresh = false;
    if (gate.storedPlan) {
      plan = gate.storedPlan;
      await store.replayPlan(message.chatId, message.id, plan, channel);
    } else {
      const decided = decide({
        message,
        chat,
        now,
        noticeVersion: deps.noticeVersion,
        countInMinute,
        rateLimit: deps.rateLimitPerMinute,
        holdsRateNotice,
        accounts: deps.accounts !== undefined,
      });
      // Stored with the chat noted (created, language, channel, index, last activity) in one
      // script; every message counts as activity, before consent too (the chat index keeps
      // the same time as its score); the log's append moves it again after consent.
      ({ plan, fresh } = await store.savePlan(message.chatId, message.id, decided, channel));
    }
    if (fresh) countDecision(deps.metrics, plan.action, plan.pauseExpired);

    if (plan.pauseExpired) await deps.handoff.end(message.chatId, 'timeout', new Date(plan.at));
    await actOnPlan(deps, effects, { message, chat, plan, log });
    await offerToOpenTicket(deps.tickets, message, plan, log);
    // Any message after a close reopens the chat: the archive starts a new conversation with it.
    if (chat?.closedAt) await store.updateChat(message.chatId, {}, ['closedAt']);
    await store.markHandled(message.id);
    // The text is never logged here: before consent it must not be kept anywhere.
    log.info({ action: plan.action.kind, replayed: !fresh }, 'conversation message handled');
    return 'accepted';
  }

  return {
    async accept(message, log) {
      // Staff groups need no consent menu: only one-to-one chats (Cloud API, Twilio) are conversations.
      if (!isOneToOneChannel(message.channel)) {
        const outcome = await deps.enqueue.accept(message, log);
        // After it is stored, as a customer's. A redelivery appends it again: the desk keeps
        // one per event id, and a crash between the two steps then loses nothing.
        await deps.recordGroupEvent?.(messageReceived(message, { at: message.receivedAt }));
        return outcome;
      }
      return handleCloud(message, log);
    },
  };
}
