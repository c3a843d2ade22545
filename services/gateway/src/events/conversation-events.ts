import { createHash } from 'node:crypto';
import {
  type Channel,
  CONVERSATION_EVENT_VERSION,
  type ConsentDecision,
  type ConversationEvent,
  type ConversationEventOf,
  conversationEventIds,
  type InboundMessage,
  type NoticeSkipReason,
  type OutboundMessage,
  type OutboundMessageInput,
} from '@helpline/contracts';
import type { DeliveryStatusUpdate } from '../outbound/channel-sender.js';

/** The conversation events the gateway records, built from what it already holds. */

/**
 * What every event starts with, in the same order (the stream's JSON keeps it): version,
 * id, type, time, channel and chat. Staff actions and handoffs are Cloud API chats' only.
 */
function envelope<T extends ConversationEvent['type']>(
  type: T,
  id: string,
  at: Date | string,
  chatId: string,
  channel: Channel = 'cloud',
) {
  return {
    v: CONVERSATION_EVENT_VERSION,
    id,
    type,
    at: typeof at === 'string' ? at : at.toISOString(),
    channel,
    chatId,
  };
}

export function messageReceived(
  message: InboundMessage,
  entry: { at: string; customerId?: string; skipped?: 'paused' | 'rate_limited' },
): ConversationEventOf<'message_received'> {
  return {
    ...envelope(
      'message_received',
      conversationEventIds.received(message.id),
      entry.at,
      message.chatId,
      message.channel,
    ),
    message: {
      id: message.id,
      kind: message.type,
      text: message.text,
      ...(message.media?.id ? { mediaId: message.media.id } : {}),
      ...(message.media?.mimeType ? { mimeType: message.media.mimeType } : {}),
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      ...(entry.customerId ? { customerId: entry.customerId } : {}),
      ...(message.senderName ? { senderName: message.senderName } : {}),
      ...(entry.skipped ? { skipped: entry.skipped } : {}),
    },
  };
}

export function messageSent(
  message: OutboundMessage,
  entry: { id: string; at: string; text: string; providerMessageId?: string; customerId?: string },
): ConversationEventOf<'message_sent'> {
  return {
    ...envelope('message_sent', conversationEventIds.sent(entry.id), entry.at, message.to, message.channel),
    message: {
      id: entry.id,
      correlationId: message.correlationId,
      purpose: message.purpose,
      kind: message.content.kind,
      text: entry.text,
      ...(entry.providerMessageId ? { providerMessageId: entry.providerMessageId } : {}),
      ...(entry.customerId ? { customerId: entry.customerId } : {}),
      ...(message.meta?.classification ? { classification: message.meta.classification } : {}),
    },
  };
}

export function deliveryStatus(update: DeliveryStatusUpdate): ConversationEventOf<'delivery_status'> {
  const first = update.errors?.[0];
  return {
    ...envelope(
      'delivery_status',
      conversationEventIds.status(update.messageId, update.status),
      update.timestamp,
      update.recipient,
      update.channel,
    ),
    providerMessageId: update.messageId,
    ...(update.callbackData ? { messageId: update.callbackData } : {}),
    status: update.status,
    ...(first ? { error: { code: first.code, ...(first.title ? { title: first.title } : {}) } } : {}),
  };
}

/**
 * Every word of the notice the customer saw, in the order WhatsApp shows them (header,
 * body, footer, buttons): what the consent record keeps and hashes.
 */
export function noticeAsShown(content: OutboundMessageInput['content']): string {
  if (content.kind !== 'buttons') return JSON.stringify(content);
  const parts = [content.header, content.body, content.footer, ...content.buttons.map((b) => `[${b.title}]`)];
  return parts.filter((part): part is string => typeof part === 'string' && part.length > 0).join('\n');
}

export function consent(input: {
  chatId: string;
  channel: InboundMessage['channel'];
  messageId: string;
  at: string;
  decision: ConsentDecision;
  noticeVersion: string;
  noticeText: string;
  noticeLanguage: string;
}): ConversationEventOf<'consent'> {
  return {
    ...envelope(
      'consent',
      conversationEventIds.consent(input.messageId, input.decision),
      input.at,
      input.chatId,
      input.channel,
    ),
    decision: input.decision,
    noticeVersion: input.noticeVersion,
    noticeText: input.noticeText,
    noticeSha256: createHash('sha256').update(input.noticeText).digest('hex'),
    noticeLanguage: input.noticeLanguage,
    messageId: input.messageId,
  };
}

export function handoffStarted(input: {
  chatId: string;
  at: Date;
  until: Date;
  reason: 'customer' | 'classifier';
  correlationId: string;
}): ConversationEventOf<'handoff_started'> {
  return {
    ...envelope(
      'handoff_started',
      conversationEventIds.handoffStarted(input.chatId, input.correlationId),
      input.at,
      input.chatId,
    ),
    reason: input.reason,
    until: input.until.toISOString(),
    correlationId: input.correlationId,
  };
}

export function handoffEnded(
  chatId: string,
  at: Date,
  reason: 'staff' | 'timeout',
): ConversationEventOf<'handoff_ended'> {
  return { ...envelope('handoff_ended', conversationEventIds.handoffEnded(chatId, at.getTime()), at, chatId), reason };
}

export function chatClosed(chatId: string, at: Date): ConversationEventOf<'chat_closed'> {
  return envelope('chat_closed', conversationEventIds.closed(chatId, at.getTime()), at, chatId);
}

export function chatErased(chatId: string, at: Date): ConversationEventOf<'chat_erased'> {
  return envelope('chat_erased', conversationEventIds.erased(chatId, at.getTime()), at, chatId);
}

/** A notice (`meta.notice`) the outbound worker held back at send time, and why. */
export function noticeSkipped(
  message: OutboundMessage,
  jobId: string,
  reason: NoticeSkipReason,
  at: Date,
): ConversationEventOf<'notice_skipped'> | undefined {
  const notice = message.meta?.notice;
  if (!notice) return undefined;
  return {
    ...envelope('notice_skipped', conversationEventIds.noticeSkipped(jobId), at, message.to, message.channel),
    messageId: jobId,
    correlationId: message.correlationId,
    notice,
    reason,
  };
}
