// The privacy notice and the answers to it: what the chat record keeps, the consent event
// (the evidence of the answer) and what is sent.
import { consent, noticeAsShown } from '../../events/conversation-events.js';
import type { PlanTurn } from './plan-turn.js';

type ConsentDecision = 'given' | 'declined' | 'withdrawn';

/** The evidence of an answer to the notice: the notice as shown (text and hash), its version, the message that carried the answer. */
function consentEvent(turn: PlanTurn, decision: ConsentDecision) {
  const notice = turn.deps.replies.privacyNotice(turn.to);
  return consent({
    chatId: turn.chatId,
    channel: turn.message.channel,
    messageId: turn.message.id,
    at: turn.plan.at,
    decision,
    noticeVersion: turn.deps.noticeVersion,
    noticeText: noticeAsShown(notice.content),
    noticeLanguage: turn.plan.language,
  });
}

export async function actOnConsent(
  turn: PlanTurn,
  kind: 'privacy_notice' | 'consent_accepted' | 'consent_declined',
): Promise<void> {
  const { deps, chatId, message, plan, atMs, to } = turn;
  const { store } = deps;
  const { send } = turn.effects;
  switch (kind) {
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
        consentEvent(turn, 'given'),
      );
      await turn.logIt();
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
        consentEvent(turn, plan.consented ? 'withdrawn' : 'declined'),
      );
      await send(deps.replies.text(to, 'consent_declined', (texts) => texts.consentDeclined));
      return;
  }
}
