import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import { consent, messageReceived, noticeAsShown } from '../../events/conversation-events.js';
import type { ChatRecord, LogEntry } from '../chat-records.js';
import type { Plan } from '../decide.js';
import type { InboundHandlerDeps } from '../handle-inbound.js';
import type { ReplyAddress } from '../replies.js';
import { COMMAND_TEXTS, HISTORY_TURNS, type InboundEffects } from './inbound-effects.js';
import { inboundEntry } from './inbound-entries.js';

/** Carries out a message's stored decision: what is kept of it, what the chat becomes, what is sent. */
export async function actOnPlan(
  deps: InboundHandlerDeps,
  effects: InboundEffects,
  turn: { message: InboundMessage; chat: ChatRecord | undefined; plan: Plan; log: Logger },
): Promise<void> {
  const { store } = deps;
  const { send, classify, askAccounts, menuChoice } = effects;
  const { message, chat, plan, log } = turn;
  const { action } = plan;
  const chatId = message.chatId;
  const at = new Date(plan.at);
  const atMs = at.getTime();
  const to: ReplyAddress = { chatId, correlationId: message.id, language: plan.language, channel: message.channel };
  const logIt = (skipped?: LogEntry['skipped']) => {
    const entry = inboundEntry(message, chat?.customerId, skipped);
    return store.append(chatId, entry, atMs, messageReceived(message, entry));
  };
  // Logged, and the turns before it read back in the same script, for the classifier.
  const logAndRecall = () => {
    const entry = inboundEntry(message, chat?.customerId);
    return store.appendAndRecall(chatId, entry, atMs, messageReceived(message, entry), HISTORY_TURNS);
  };
  // The evidence of an answer to the notice: the notice as shown (text and hash), its
  // version, the message that carried the answer.
  const consentEvent = (decision: 'given' | 'declined' | 'withdrawn') => {
    const notice = deps.replies.privacyNotice(to);
    return consent({
      chatId,
      channel: message.channel,
      messageId: message.id,
      at: plan.at,
      decision,
      noticeVersion: deps.noticeVersion,
      noticeText: noticeAsShown(notice.content),
      noticeLanguage: plan.language,
    });
  };

  switch (action.kind) {
    case 'paused':
      await logIt('paused');
      return;
    case 'rate_limited':
      // Before consent nothing is kept; after it the message is logged, not classified.
      if (plan.consented) await logIt('rate_limited');
      if (action.notice) await send(deps.replies.text(to, 'rate_limited', (t) => t.rateLimited));
      return;
    case 'privacy_notice':
      await store.updateChat(
        chatId,
        { noticeVersion: deps.noticeVersion, noticeSentAt: plan.at },
        ['declinedAt'],
        atMs,
      );
      await send(deps.replies.privacyNotice(to));
      return;
    case 'consent_accepted':
      await store.updateChat(
        chatId,
        { consentVersion: deps.noticeVersion, consentAt: plan.at, mode: 'menu', senderName: message.senderName },
        ['declinedAt'],
        atMs,
        consentEvent('given'),
      );
      await logIt();
      await send(deps.replies.menu(to));
      return;
    case 'consent_declined':
      // A decline (or a withdrawal later on) keeps nothing: the log goes, and so does
      // everything the record held beyond the decline itself.
      await store.dropLog(chatId);
      await store.updateChat(
        chatId,
        { declinedAt: plan.at },
        ['consentVersion', 'consentAt', 'noticeVersion', 'noticeSentAt', 'mode', 'senderName', 'customerId'],
        atMs,
        // A decline after consent withdraws it.
        consentEvent(plan.consented ? 'withdrawn' : 'declined'),
      );
      await send(deps.replies.text(to, 'consent_declined', (t) => t.consentDeclined));
      return;
    case 'command':
      await logIt();
      if (action.command === 'menu') await send(deps.replies.menu(to));
      else
        await send(
          deps.replies.text(to, action.command, (t) => t[COMMAND_TEXTS[action.command as keyof typeof COMMAND_TEXTS]]),
        );
      return;
    case 'stale_menu':
      await logIt();
      await send(deps.replies.menu(to));
      return;
    case 'handoff':
      await logIt();
      await deps.handoff.start(
        {
          chatId,
          correlationId: message.id,
          language: plan.language,
          reason: 'customer',
          at,
          channel: message.channel,
        },
        { count: false },
      );
      return;
    case 'menu_choice':
      await logIt();
      await menuChoice(message, action.choice, to, plan);
      return;
    case 'description':
      await classify(message, chat, plan, await logAndRecall(), log);
      await store.updateChat(chatId, { mode: 'menu' }, [], atMs);
      return;
    case 'free_text':
      await classify(message, chat, plan, await logAndRecall(), log);
      return;
    case 'account':
      await logIt();
      await askAccounts(message, action.ask, plan);
      // The awaited answer came (or the customer moved on): the service asks again if it must.
      if (chat?.mode === 'awaiting_account' || chat?.mode === 'awaiting_receipt') {
        await store.updateChat(chatId, { mode: 'menu' }, [], atMs);
      }
      return;
    case 'log_only':
      await logIt();
      return;
    case 'returning':
      await logIt();
      await send(deps.replies.menu(to));
      return;
  }
}
