// A chat as staff see it in lists and after an action: state, consent, customer, activity,
// the length of its log and the handoff running.
import { type ChatRecord, type ChatStateName, chatStateOf, hasConsent } from './chat-records.js';
import type { ConversationStore } from './conversation-store.js';

export interface ChatSummary {
  chatId: string;
  state: ChatStateName;
  language: string | null;
  /** The WhatsApp profile name, kept only after consent. */
  name: string | null;
  consent: { version: string; at: string } | null;
  customerId: string | null;
  lastActivityAt: string | null;
  messages: number;
  /** Set while a person has the chat: staff should answer it. */
  handoff: { since: string | null; until: string; reason: string | null } | null;
}

export type Summarise = (chat: ChatRecord, nowMs: number) => Promise<ChatSummary>;

export function createChatSummariser(store: Pick<ConversationStore, 'logLength'>, noticeVersion: string): Summarise {
  return async function summarise(chat: ChatRecord, nowMs: number): Promise<ChatSummary> {
    const state = chatStateOf(chat, noticeVersion, nowMs);
    return {
      chatId: chat.chatId,
      state,
      language: chat.language ?? null,
      name: chat.senderName ?? null,
      consent:
        hasConsent(chat, noticeVersion) && chat.consentAt
          ? { version: chat.consentVersion!, at: chat.consentAt }
          : null,
      customerId: chat.customerId ?? null,
      lastActivityAt: chat.lastActivityAt ? new Date(chat.lastActivityAt).toISOString() : null,
      messages: await store.logLength(chat.chatId),
      handoff:
        state === 'paused' && chat.pausedUntil
          ? {
              since: chat.handoffAt ?? null,
              until: new Date(chat.pausedUntil).toISOString(),
              reason: chat.handoffReason ?? null,
            }
          : null,
    };
  };
}
