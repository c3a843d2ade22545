import { z } from 'zod';
import { Classification } from './classification.js';
import { CorrelationId, IsoDateTime, NonEmpty } from './common.js';
import { NoticeRef } from './outbound-message.js';
import { Channel } from './taxonomy.js';

/**
 * The conversation's facts, one event per fact, as the gateway appends them to a Redis
 * Stream and the desk archives them in PostgreSQL. Version 1. Like job payloads, a change
 * must stay readable by the previous version's events still in the stream: add optional
 * fields or new event types, never rename.
 */
export const CONVERSATION_EVENT_VERSION = 1 as const;

/** The stream's key under a BullMQ prefix (`bull` by default), shared by writer and reader. */
export const conversationStreamKey = (prefix: string): string => `${prefix}:conversation:events`;

/** The field of a stream entry that holds the event's JSON. */
export const CONVERSATION_STREAM_FIELD = 'event';

const Base = {
  v: z.literal(CONVERSATION_EVENT_VERSION),
  /**
   * The fact's own id, the same however often the gateway records it (a redelivered
   * webhook, a replayed handling): the desk stores each id once.
   */
  id: NonEmpty.max(600),
  /** When the fact happened (ISO 8601). */
  at: IsoDateTime,
  channel: Channel,
  /** wa_id for `cloud`, group JID for `group`. */
  chatId: NonEmpty.max(256),
};

export const DELIVERY_STATES = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export const DeliveryState = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof DeliveryState>;

/** A customer's message, emitted once it is stored in the conversation log. */
export const MessageReceivedEvent = z.object({
  ...Base,
  type: z.literal('message_received'),
  message: z.object({
    /** The channel's message id (wamid). */
    id: NonEmpty.max(256),
    /** Inbound message type (`text`, `image`, ...). */
    kind: z.string().max(64),
    /** The text, or a media message's caption. */
    text: z.string(),
    mediaId: z.string().max(256).optional(),
    mimeType: z.string().max(128).optional(),
    /** The message it replies to (WhatsApp's context id). */
    replyTo: z.string().max(256).optional(),
    customerId: z.string().max(128).optional(),
    senderName: z.string().max(256).optional(),
    /** Logged but not handled automatically, and why. */
    skipped: z.enum(['paused', 'rate_limited']).optional(),
  }),
});

/** A message the gateway sent, emitted once it is stored in the conversation log. */
export const MessageSentEvent = z.object({
  ...Base,
  type: z.literal('message_sent'),
  message: z.object({
    /** The outbound job id, `<correlationId>-<purpose>`. */
    id: NonEmpty.max(600),
    correlationId: CorrelationId,
    purpose: z.string().max(128),
    /** The outbound content kind (`text`, `list`, `template`, ...). */
    kind: z.string().max(64),
    text: z.string(),
    /** The id the channel gave it (wamid): the key of its delivery statuses. */
    providerMessageId: z.string().max(256).optional(),
    customerId: z.string().max(128).optional(),
    /** The classification it carries; it belongs first to the message `correlationId`. */
    classification: Classification.optional(),
  }),
});

/** A delivery status the channel reported for a sent message, emitted where it is recorded. */
export const DeliveryStatusEvent = z.object({
  ...Base,
  type: z.literal('delivery_status'),
  providerMessageId: NonEmpty.max(256),
  /** The outbound job id when the channel returned it (Cloud API callback data). */
  messageId: z.string().max(600).optional(),
  status: DeliveryState,
  /** `failed`: the provider's error code and title (Meta's `errors[0]`). */
  error: z.object({ code: z.number().int(), title: z.string().max(512).optional() }).optional(),
});

export const CONSENT_DECISIONS = ['given', 'declined', 'withdrawn'] as const;
export const ConsentDecision = z.enum(CONSENT_DECISIONS);
export type ConsentDecision = z.infer<typeof ConsentDecision>;

/** A customer's answer to the privacy notice (Ley 1581): the evidence of an authorization. */
export const ConsentEvent = z.object({
  ...Base,
  type: z.literal('consent'),
  decision: ConsentDecision,
  noticeVersion: NonEmpty.max(64),
  /** The notice exactly as the customer was shown it, and its SHA-256 (hex). */
  noticeText: z.string().optional(),
  noticeSha256: z.string().regex(/^[0-9a-f]{64}$/),
  noticeLanguage: z.string().max(8).optional(),
  /** The message that carried the answer (wamid). */
  messageId: NonEmpty.max(256),
});

export const HandoffStartedEvent = z.object({
  ...Base,
  type: z.literal('handoff_started'),
  reason: z.enum(['customer', 'classifier']),
  /** When automatic answers resume unless staff resume them first. */
  until: IsoDateTime,
  correlationId: CorrelationId.optional(),
});

export const HandoffEndedEvent = z.object({
  ...Base,
  type: z.literal('handoff_ended'),
  /** `staff`: resumed by staff; `timeout`: noticed expired on the next message. */
  reason: z.enum(['staff', 'timeout']),
});

export const NOTICE_SKIP_REASONS = ['opted_out', 'no_consent', 'window_closed'] as const;
export const NoticeSkipReason = z.enum(NOTICE_SKIP_REASONS);
export type NoticeSkipReason = z.infer<typeof NoticeSkipReason>;

/**
 * A notice the gateway did not send, decided at send time: the customer opted out of
 * notices, the chat has no consent, or free text found the 24-hour window closed.
 */
export const NoticeSkippedEvent = z.object({
  ...Base,
  type: z.literal('notice_skipped'),
  /** The outbound job id, `<correlationId>-<purpose>`. */
  messageId: NonEmpty.max(600),
  correlationId: CorrelationId,
  notice: NoticeRef,
  reason: NoticeSkipReason,
});

/** Staff closed the conversation: the next message starts a new one in the archive. */
export const ChatClosedEvent = z.object({ ...Base, type: z.literal('chat_closed') });

/** A data-removal request erased the chat. */
export const ChatErasedEvent = z.object({ ...Base, type: z.literal('chat_erased') });

export const ConversationEvent = z.discriminatedUnion('type', [
  MessageReceivedEvent,
  MessageSentEvent,
  DeliveryStatusEvent,
  ConsentEvent,
  HandoffStartedEvent,
  HandoffEndedEvent,
  ChatClosedEvent,
  ChatErasedEvent,
  NoticeSkippedEvent,
]);
export type ConversationEvent = z.infer<typeof ConversationEvent>;
export type ConversationEventType = ConversationEvent['type'];
export type ConversationEventOf<T extends ConversationEventType> = Extract<ConversationEvent, { type: T }>;

/** Event ids derive from the fact, so that recording it twice yields the same id. */
export const conversationEventIds = {
  received: (messageId: string): string => `in:${messageId}`,
  sent: (outboundJobId: string): string => `out:${outboundJobId}`,
  status: (providerMessageId: string, status: DeliveryState): string => `status:${providerMessageId}:${status}`,
  consent: (messageId: string, decision: ConsentDecision): string => `consent:${messageId}:${decision}`,
  /** By the message that asked for it, so a replayed request is one handoff. */
  handoffStarted: (chatId: string, correlationId: string): string => `handoff:${chatId}:${correlationId}`,
  handoffEnded: (chatId: string, atMs: number): string => `handoff-end:${chatId}:${atMs}`,
  closed: (chatId: string, atMs: number): string => `closed:${chatId}:${atMs}`,
  erased: (chatId: string, atMs: number): string => `erased:${chatId}:${atMs}`,
  /** By the outbound job: a re-run of a skipped notice is the same skip. */
  noticeSkipped: (outboundJobId: string): string => `notice-skipped:${outboundJobId}`,
};
