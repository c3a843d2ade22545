import {
  type AccountRequestInput,
  type ConversationEvent,
  type HistoryTurn,
  type InboundMessage,
  isOneToOneChannel,
  TicketAttachmentRequest,
  jobIds,
} from '@helpline/contracts';
import { forCorrelation, type Logger, type Producer } from '@helpline/runtime';
import { consent, messageReceived, noticeAsShown } from '../events/conversation-events.js';
import type { MessageSink } from '../ingest/message-sink.js';
import type { AccountAsk } from './account-asks.js';
import type { ChatRecord, LogEntry } from './chat-records.js';
import type { CommandName } from './commands.js';
import type { ConversationMetrics } from './conversation-metrics.js';
import type { ConversationStore } from './conversation-store.js';
import { type Action, decide, type Plan } from './decide.js';
import type { Handoff } from './handoff.js';
import type { Replies, ReplyAddress } from './replies.js';
import type { ConversationTexts, MenuChoice } from './texts.js';

/** What a customer sends that belongs on their ticket: documents (statements, receipts) and photos. */
const ATTACHABLE_TYPES: ReadonlySet<InboundMessage['type']> = new Set(['image', 'document']);

/** The turns of history handed to the classifier (the contract's own maximum). */
export const HISTORY_TURNS = 10;

export interface InboundHandlerDeps {
  store: ConversationStore;
  /** Appends a support group's message to the desk's event stream (groups have no conversation log). */
  recordGroupEvent?: (event: ConversationEvent) => Promise<void>;
  /** The plain enqueuer onto `inbound`: group messages and everything to classify. */
  enqueue: MessageSink;
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

type TextKey = keyof Pick<
  ConversationTexts,
  'help' | 'invoices' | 'debt' | 'paymentPoints' | 'billing' | 'changePassword' | 'improvePlan'
>;

/** Commands answered with one text: the job's purpose and the text's key. */
const COMMAND_TEXTS: Record<Exclude<CommandName, 'agent' | 'menu'>, TextKey> = {
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

function inboundEntry(
  message: InboundMessage,
  customerId: string | undefined,
  skipped?: LogEntry['skipped'],
): LogEntry {
  return {
    id: message.id,
    direction: 'inbound',
    type: message.type,
    text: message.text,
    at: message.receivedAt,
    status: 'received',
    ...(customerId ? { customerId } : {}),
    ...(skipped ? { skipped } : {}),
    // The reference staff (and GET /api/media) fetch the audio, image or document by.
    ...(message.media?.id ? { mediaId: message.media.id } : {}),
  };
}

function toTurn(entry: LogEntry): HistoryTurn | undefined {
  // A voice note has no text of its own: its transcript stands for it.
  const text = entry.text || entry.transcript;
  if (!text) return undefined;
  return { role: entry.direction === 'inbound' ? 'customer' : 'bot', text, at: entry.at };
}

/**
 * The conversation's gate in front of `inbound`. Each Cloud API message is decided on once
 * (the decision is stored before anything else happens), its effects are written with ids
 * derived from the message id, and only then is it marked handled. A redelivery after a
 * crash halfway repeats the same decision and adds nothing twice; one after completion is
 * answered `duplicate` at once.
 */
export function createInboundHandler(deps: InboundHandlerDeps): MessageSink {
  const { store } = deps;

  async function send(payload: Parameters<Producer<'outbound'>['add']>[0]): Promise<void> {
    await deps.outbound.add(payload, { jobId: jobIds.outbound(payload.correlationId, payload.purpose) });
  }

  async function classify(message: InboundMessage, chat: ChatRecord | undefined, plan: Plan, log: Logger) {
    const turns = (await store.recentEntries(message.chatId, HISTORY_TURNS, message.id))
      .map(toTurn)
      .filter((t): t is HistoryTurn => t !== undefined)
      .slice(-HISTORY_TURNS);
    await deps.enqueue.accept(
      {
        ...message,
        customer: { consent: true, customerId: chat?.customerId, language: plan.language },
        history: turns,
      },
      log,
    );
  }

  async function act(message: InboundMessage, chat: ChatRecord | undefined, plan: Plan, log: Logger): Promise<void> {
    const { action } = plan;
    const chatId = message.chatId;
    const at = new Date(plan.at);
    const atMs = at.getTime();
    const to: ReplyAddress = { chatId, correlationId: message.id, language: plan.language, channel: message.channel };
    const logIt = (skipped?: LogEntry['skipped']) => {
      const entry = inboundEntry(message, chat?.customerId, skipped);
      return store.append(chatId, entry, atMs, messageReceived(message, entry));
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
            deps.replies.text(
              to,
              action.command,
              (t) => t[COMMAND_TEXTS[action.command as keyof typeof COMMAND_TEXTS]],
            ),
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
        await logIt();
        await classify(message, chat, plan, log);
        await store.updateChat(chatId, { mode: 'menu' }, [], atMs);
        return;
      case 'free_text':
        await logIt();
        await classify(message, chat, plan, log);
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

  async function askAccounts(message: InboundMessage, ask: AccountAsk, plan: Plan): Promise<void> {
    if (!deps.accounts) throw new Error('an account request was decided without the accounts queue');
    await deps.accounts.add(
      {
        ...ask,
        correlationId: message.id,
        replyTo: { channel: 'cloud', chatId: message.chatId, language: plan.language },
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

  /**
   * A document or photo of a consented chat goes to the tickets service, which attaches it to
   * the chat's open ticket if there is one (it alone knows). Only the reference is queued: the
   * bytes are fetched through GET /api/media when attached. One message, one job id; a receipt
   * is attached too, beside what the accounts service does with it.
   */
  async function offerToOpenTicket(message: InboundMessage, plan: Plan, log: Logger): Promise<void> {
    if (!deps.tickets || !plan.consented || plan.action.kind === 'consent_declined') return;
    if (!ATTACHABLE_TYPES.has(message.type) || !message.media?.id) return;
    const request = TicketAttachmentRequest.safeParse({
      kind: 'attach',
      messageId: message.id,
      correlationId: message.id,
      chat: { channel: message.channel, chatId: message.chatId },
      media: {
        id: message.media.id,
        mimeType: message.media.mimeType,
        filename: message.media.filename,
        caption: message.media.caption,
      },
      sentAt: message.receivedAt,
    });
    if (!request.success) {
      // A media id the media endpoint could not serve either: nothing to attach, the message is still logged.
      log.warn({ reason: request.error.issues[0]?.message }, 'media not offered to the open ticket');
      return;
    }
    await deps.tickets.add(request.data, { jobId: jobIds.attachment(message.id) });
  }

  /** Metrics count decisions, not attempts: a replayed plan is not counted again. */
  function count(action: Action, pauseExpired: boolean): void {
    if (pauseExpired) deps.metrics.event('resume');
    switch (action.kind) {
      case 'privacy_notice':
        deps.metrics.event('consent_requested');
        break;
      case 'consent_accepted':
        deps.metrics.event('consent_accepted');
        break;
      case 'consent_declined':
        deps.metrics.event('consent_declined');
        break;
      case 'rate_limited':
        deps.metrics.event('rate_limited');
        break;
      case 'handoff':
        deps.metrics.event('handoff');
        deps.metrics.command('agent', action.via);
        break;
      case 'command':
        deps.metrics.command(action.command, 'text');
        break;
      case 'menu_choice':
        deps.metrics.command(action.choice, 'list');
        break;
      case 'account':
        if (action.command) deps.metrics.command(action.command.name, action.command.via);
        break;
      default:
        break;
    }
  }

  async function handleCloud(message: InboundMessage, parentLog: Logger): Promise<'accepted' | 'duplicate'> {
    if (await store.isHandled(message.id)) return 'duplicate';
    const log = forCorrelation(parentLog, message.id);
    const now = deps.clock();
    const minute = Math.floor(now.getTime() / 60_000);
    const chat = await store.getChat(message.chatId);
    const countInMinute = await store.countInMinute(message.chatId, message.id, minute);
    const holdsRateNotice =
      countInMinute > deps.rateLimitPerMinute && (await store.claimRateNotice(message.chatId, message.id, minute));

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
    const { plan, fresh } = await store.savePlan(message.id, decided);
    if (fresh) count(plan.action, plan.pauseExpired);

    await store.touchChat(message.chatId, plan.at);
    if (plan.pauseExpired) await deps.handoff.end(message.chatId, 'timeout', new Date(plan.at));
    const atMs = new Date(plan.at).getTime();
    await store.updateChat(message.chatId, { language: plan.language }, [], atMs);
    // Every message counts as activity, before consent too (the chat index already keeps
    // the same time as its score); the log's append moves it again after consent.
    await store.noteActivity(message.chatId, atMs);
    await act(message, chat, plan, log);
    await offerToOpenTicket(message, plan, log);
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
