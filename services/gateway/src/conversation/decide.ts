import type { InboundMessage, Language } from '@helpline/contracts';
import { type AccountAsk, commandAsk, contextualAsk, menuAsk, replyAsk } from './account-asks.js';
import { type ChatRecord, hasConsent, isPaused } from './chat-records.js';
import { type CommandName, parseCommand } from './commands.js';
import { detectLanguage } from './language-detector.js';
import { parseNoticePreference } from './notice-preference.js';
import { parseConsentReply, parseMenuReply } from './replies.js';
import type { MenuChoice } from './texts.js';

/** What to do with one inbound message. Stored as JSON, so plain data only. */
export type Action =
  /** A person has the chat: log only. */
  | { kind: 'paused' }
  /** Over the minute's limit: log (after consent) and, for one message a minute, a notice. */
  | { kind: 'rate_limited'; notice: boolean }
  | { kind: 'privacy_notice' }
  | { kind: 'consent_accepted' }
  | { kind: 'consent_declined' }
  | { kind: 'command'; command: Exclude<CommandName, 'agent'> }
  | { kind: 'menu_choice'; choice: Exclude<MenuChoice, 'talk_to_person'> }
  /** A `menu.` reply this version does not know (an old list): the menu again. */
  | { kind: 'stale_menu' }
  | { kind: 'handoff'; via: 'text' | 'list' }
  /** The description asked for by "report a problem": to `inbound`. */
  | { kind: 'description' }
  | { kind: 'free_text' }
  /** For the accounts service (`accounts` queue); `command` is counted like the menu and commands. */
  | { kind: 'account'; ask: AccountAsk; command?: { name: string; via: 'text' | 'list' } }
  /** Reactions, revocations, system notices: logged, nothing to answer or classify. */
  | { kind: 'log_only' }
  /** The first words after staff closed the conversation: greeted with the menu, as a returning customer. */
  | { kind: 'returning' };

export interface Plan {
  /** When the decision was taken (ISO): consent and handoff record this time, on replays too. */
  at: string;
  language: Language;
  /** The chat had consent for the current notice before this message. */
  consented: boolean;
  /** A handoff whose time ran out: cleared before acting. */
  pauseExpired: boolean;
  action: Action;
}

export interface DecideInput {
  message: InboundMessage;
  chat: ChatRecord | undefined;
  now: Date;
  noticeVersion: string;
  /** This message's place in its chat's minute (1 = first). */
  countInMinute: number;
  rateLimit: number;
  /** Whether this message holds the minute's one rate-limit notice. */
  holdsRateNotice: boolean;
  /** The accounts service answers billing, invoices, plans...; without it, the data file's texts. */
  accounts?: boolean;
}

/** Types with nothing to answer or classify. */
const LOG_ONLY_TYPES = new Set<InboundMessage['type']>(['reaction', 'revoke', 'system']);

/**
 * Decides what one message of a Cloud API chat does. Pure: every input is given, so the
 * order of the rules can be read (and tested) here: a paused chat stays silent, then
 * the rate limit, then consent, then replies, commands, the awaited description, free text.
 */
export function decide(input: DecideInput): Plan {
  const { message, chat, now, noticeVersion } = input;
  const nowMs = now.getTime();
  // A reply's title is our own text in the chat's language: it says nothing new about it.
  const detected = message.reply ? undefined : detectLanguage(message.text);
  const language = detected ?? chat?.language ?? 'es';
  const consented = hasConsent(chat, noticeVersion);
  const paused = isPaused(chat, nowMs);
  const pauseExpired = !paused && chat?.pausedUntil !== undefined;
  const plan = (action: Action): Plan => ({ at: now.toISOString(), language, consented, pauseExpired, action });

  if (paused) return plan({ kind: 'paused' });
  if (input.countInMinute > input.rateLimit) return plan({ kind: 'rate_limited', notice: input.holdsRateNotice });

  const consent = parseConsentReply(message.reply?.id);
  if (consent?.kind === 'decline') return plan({ kind: 'consent_declined' });
  if (consent?.kind === 'accept' && consent.version === noticeVersion) return plan({ kind: 'consent_accepted' });
  // No consent, or consent to an older notice, or an old notice's accept button: ask again.
  if (!consented || consent) return plan({ kind: 'privacy_notice' });

  const choice = parseMenuReply(message.reply?.id);
  if (choice === null) return plan({ kind: 'stale_menu' });
  if (choice === 'talk_to_person') return plan({ kind: 'handoff', via: 'list' });
  const menuAccount = choice && input.accounts ? menuAsk(choice) : undefined;
  if (choice && menuAccount) return plan({ kind: 'account', ask: menuAccount, command: { name: choice, via: 'list' } });
  if (choice) return plan({ kind: 'menu_choice', choice });
  const reply = input.accounts ? replyAsk(message) : undefined;
  if (reply) return plan({ kind: 'account', ask: reply });

  const command = message.type === 'text' ? parseCommand(message.text) : undefined;
  if (command === 'agent') return plan({ kind: 'handoff', via: 'text' });
  const commandAccount = command && input.accounts ? commandAsk(command) : undefined;
  if (command && commandAccount) {
    return plan({ kind: 'account', ask: commandAccount, command: { name: command, via: 'text' } });
  }
  if (command) return plan({ kind: 'command', command });
  // "no quiero más avisos" / "stop", and back: kept by the accounts service, which owns notices.
  const preference = message.type === 'text' && input.accounts ? parseNoticePreference(message.text) : undefined;
  if (preference)
    return plan({ kind: 'account', ask: { kind: preference }, command: { name: preference, via: 'text' } });

  if (LOG_ONLY_TYPES.has(message.type)) return plan({ kind: 'log_only' });
  if (chat?.closedAt) return plan({ kind: 'returning' });
  const contextual = input.accounts ? contextualAsk(message, chat) : undefined;
  if (contextual) return plan({ kind: 'account', ask: contextual });
  if (chat?.mode === 'awaiting_description') return plan({ kind: 'description' });
  return plan({ kind: 'free_text' });
}
