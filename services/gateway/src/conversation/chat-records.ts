import type { Classification, Language } from '@helpline/contracts';

/** What the chat is doing now, as staff see it. */
export const CHAT_STATES = ['awaiting_consent', 'declined', 'active', 'awaiting_description', 'paused'] as const;
export type ChatStateName = (typeof CHAT_STATES)[number];

/** The per-chat record in Redis (a hash; every field a string there). */
export interface ChatRecord {
  chatId: string;
  createdAt?: string;
  /** Milliseconds since the epoch of the last message either way. */
  lastActivityAt?: number;
  language?: Language;
  /**
   * The one-to-one channel the customer last wrote on: where the messages a service starts
   * itself (notices, broadcasts) go (`OutboundMessage.channelFromChat`).
   */
  channel?: 'cloud' | 'twilio';
  /** Consent (Ley 1581): the notice version accepted and when. */
  consentVersion?: string;
  consentAt?: string;
  /** When the notice was last declined; cleared when it is shown again. */
  declinedAt?: string;
  /** The notice version last shown, and when. */
  noticeVersion?: string;
  noticeSentAt?: string;
  /** `awaiting_account`/`awaiting_receipt`: the accounts service asked for a document number or a receipt. */
  mode?: 'menu' | 'awaiting_description' | 'awaiting_account' | 'awaiting_receipt';
  /** Handoff to a person: automatic answers stop until this time (ms since the epoch). */
  pausedUntil?: number;
  handoffAt?: string;
  handoffReason?: 'customer' | 'classifier';
  /** The customer's id in the customer directory, when a producer identified it. */
  customerId?: string;
  /** The WhatsApp profile name; stored only after consent. */
  senderName?: string;
  /** Staff closed the conversation (resolved): the next message starts a new one. */
  closedAt?: string;
}

export type DeliveryState = 'received' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';

/** One message of the conversation log, either way. */
export interface LogEntry {
  /** Inbound: the wamid. Outbound: the job id (`<correlationId>-<purpose>`). */
  id: string;
  direction: 'inbound' | 'outbound';
  /** Inbound message type, or the outbound content kind. */
  type: string;
  text: string;
  at: string;
  status: DeliveryState;
  statusAt?: string;
  /** Outbound: why it was sent. */
  purpose?: string;
  /** Outbound: the id the channel gave it (wamid), the key of its status updates. */
  providerMessageId?: string;
  customerId?: string;
  classification?: Classification;
  /** Inbound media: its id, for GET /api/media/:mediaId. */
  mediaId?: string;
  /** Inbound voice note: what the classifier heard in it. */
  transcript?: string;
  /** Outbound: the assistant wrote it, from these knowledge entries (headings), by this provider or `knowledge`. */
  answer?: { source: string; entries: string[] };
  /** Inbound messages that were logged but not handled automatically, and why. */
  skipped?: 'paused' | 'rate_limited';
  error?: { code: number; title?: string };
}

export function hasConsent(chat: ChatRecord | undefined, noticeVersion: string): boolean {
  return chat?.consentVersion === noticeVersion;
}

export function isPaused(chat: ChatRecord | undefined, nowMs: number): boolean {
  return chat?.pausedUntil !== undefined && chat.pausedUntil > nowMs;
}

export function chatStateOf(chat: ChatRecord, noticeVersion: string, nowMs: number): ChatStateName {
  if (isPaused(chat, nowMs)) return 'paused';
  if (hasConsent(chat, noticeVersion)) return chat.mode === 'awaiting_description' ? 'awaiting_description' : 'active';
  // A decline clears the notice fields and a new notice clears the decline, so whichever
  // happened last is the one present.
  return chat.declinedAt ? 'declined' : 'awaiting_consent';
}
