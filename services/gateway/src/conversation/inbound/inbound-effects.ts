import { type AccountRequestInput, type HistoryTurn, type InboundMessage, jobIds } from '@helpline/contracts';
import type { Producer } from '@helpline/runtime';
import { CodedError, ERRORS } from '@helpline/runtime';
import type { AccountAsk } from '../account-asks.js';
import type { ChatRecord, LogEntry } from '../chat-records.js';
import type { CommandName } from '../commands.js';
import type { Plan } from '../decide.js';
import type { InboundHandlerDeps } from '../handle-inbound.js';
import type { ReplyAddress } from '../replies.js';
import type { ConversationTexts, MenuChoice } from '../texts.js';
import { toTurn } from './inbound-entries.js';

/** The turns of history handed to the classifier (the contract's own maximum). */
export const HISTORY_TURNS = 10;

type TextKey = keyof Pick<
  ConversationTexts,
  'help' | 'invoices' | 'debt' | 'paymentPoints' | 'billing' | 'changePassword' | 'improvePlan'
>;

/** Commands answered with one text: the job's purpose and the text's key. */
export const COMMAND_TEXTS: Record<Exclude<CommandName, 'agent' | 'menu'>, TextKey> = {
  help: 'help',
  invoices: 'invoices',
  debt: 'debt',
  payment_points: 'paymentPoints',
};
const MENU_TEXTS: Record<Exclude<MenuChoice, 'talk_to_person' | 'check_connection' | 'report_problem'>, TextKey> = {
  billing: 'billing',
  change_password: 'changePassword',
  improve_plan: 'improvePlan',
};

/**
 * What a decided message makes happen beyond the chat's own record: answers on `outbound`
 * (job ids from the message id, so a replay adds nothing), the message on `inbound` to be
 * classified, a diagnosis, an account request.
 */
export function createInboundEffects(deps: InboundHandlerDeps) {
  const { store } = deps;

  async function send(payload: Parameters<Producer<'outbound'>['add']>[0]): Promise<void> {
    await deps.outbound.add(payload, { jobId: jobIds.outbound(payload.correlationId, payload.purpose) });
  }

  /**
   * The message to `inbound` with the chat's last turns, oldest first. `recent` is the log
   * before this message, read back by the append that logged it (one round trip for both).
   */
  async function classify(
    message: InboundMessage,
    chat: ChatRecord | undefined,
    plan: Plan,
    recent: readonly LogEntry[],
  ) {
    const turns = recent
      .map(toTurn)
      .filter((t): t is HistoryTurn => t !== undefined)
      .slice(-HISTORY_TURNS);
    // Its own id is the job id: a redelivery after a crash halfway adds nothing twice.
    await deps.inbound.add(
      {
        ...message,
        customer: { consent: true, customerId: chat?.customerId, language: plan.language },
        history: turns,
      },
      { jobId: jobIds.inbound(message.id) },
    );
  }

  async function askAccounts(message: InboundMessage, ask: AccountAsk, plan: Plan): Promise<void> {
    if (!deps.accounts)
      throw new CodedError(ERRORS.internal_error, 'an account request was decided without the accounts queue');
    await deps.accounts.add(
      {
        ...ask,
        correlationId: message.id,
        replyTo: { channel: message.channel, chatId: message.chatId, language: plan.language },
        // A Cloud API chat id is the customer's wa_id: their phone number in digits.
        phone: message.senderPhone ?? message.chatId,
        requestedAt: plan.at,
      } as AccountRequestInput,
      { jobId: jobIds.accounts(message.id, ask.kind) },
    );
  }

  async function menuChoice(
    message: InboundMessage,
    choice: Exclude<MenuChoice, 'talk_to_person'>,
    to: ReplyAddress,
    plan: Plan,
  ) {
    switch (choice) {
      case 'check_connection':
        await deps.diagnostics.add(
          {
            correlationId: message.id,
            // A Cloud API chat id is the customer's wa_id: their phone number in digits.
            customer: { phone: message.senderPhone ?? message.chatId },
            replyTo: { channel: message.channel, chatId: message.chatId, language: plan.language },
            openTicketOnFailure: true,
            requestedAt: plan.at,
          },
          { jobId: jobIds.diagnostics(message.id) },
        );
        await send(deps.replies.text(to, 'diagnosis_started', (t) => t.diagnosisStarted));
        return;
      case 'report_problem':
        await store.updateChat(message.chatId, { mode: 'awaiting_description' }, [], new Date(plan.at).getTime());
        await send(deps.replies.text(to, 'ask_description', (t) => t.askDescription));
        return;
      default:
        await send(deps.replies.text(to, choice, (t) => t[MENU_TEXTS[choice]]));
    }
  }

  return { send, classify, askAccounts, menuChoice };
}

export type InboundEffects = ReturnType<typeof createInboundEffects>;
