import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { ChatRecord } from '../chat-records.js';
import type { Plan } from '../decide.js';
import type { InboundHandlerDeps } from '../handle-inbound.js';
import { actOnConsent } from './act-on-consent.js';
import { COMMAND_TEXTS, type InboundEffects } from './inbound-effects.js';
import { planTurn } from './plan-turn.js';

/**
 * Carries out a message's stored decision: what is kept of it, what the chat becomes, what is
 * sent. The notice and the answers to it are act-on-consent.ts'.
 */
export async function actOnPlan(
  deps: InboundHandlerDeps,
  effects: InboundEffects,
  turn: { message: InboundMessage; chat: ChatRecord | undefined; plan: Plan; log: Logger },
): Promise<void> {
  const t = planTurn(deps, effects, turn);
  const { store } = deps;
  const { send, classify, askAccounts, menuChoice } = effects;
  const { message, chat, plan } = turn;
  const { action } = plan;
  const { chatId, at, atMs, to, logIt, logAndRecall } = t;

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
    case 'consent_accepted':
    case 'consent_declined':
      await actOnConsent(t, action.kind);
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
      await classify(message, chat, plan, await logAndRecall());
      await store.updateChat(chatId, { mode: 'menu' }, [], atMs);
      return;
    case 'free_text':
      await classify(message, chat, plan, await logAndRecall());
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
