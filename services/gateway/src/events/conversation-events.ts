import { createHash } from 'node:crypto';
import {
  CONVERSATION_EVENT_VERSION,
  type ConsentDecision,
  type ConversationEventOf,
  conversationEventIds,
  type InboundMessage,
  type OutboundMessage,
  type OutboundMessageInput,
} from '@helpline/contracts';
import type { DeliveryStatusUpdate } from '../outbound/channel-sender.js';

/** The conversation events the gateway records, built from what it already holds. */

const v = CONVERSATION_EVENT_VERSION;

export function messageReceived(
  message: InboundMessage,
  entry: { at: string; customerId?: string; skipped?: 'paused' | 'rate_limited' },
): ConversationEventOf<'message_received'> {
  return {
    v,
    id: conversationEventIds.received(message.id),
    type: 'message_received',
    at: entry.at,
    channel: message.channel,
    chatId: message.chatId,
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
    v,
    id: conversationEventIds.sent(entry.id),
    type: 'message_sent',
    at: entry.at,
    channel: message.channel,
    chatId: message.to,
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
    v,
    id: conversationEventIds.status(update.messageId, update.status),
    type: 'delivery_status',
    at: update.timestamp,
    channel: update.channel ?? 'cloud',
    chatId: update.recipient,
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
    v,
    id: conversationEventIds.consent(input.messageId, input.decision),
    type: 'consent',
    at: input.at,
    channel: input.channel,
    chatId: input.chatId,
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
    v,
    id: conversationEventIds.handoffStarted(input.chatId, input.correlationId),
    type: 'handoff_started',
    at: input.at.toISOString(),
    channel: 'cloud',
    chatId: input.chatId,
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
  return {
    v,
    id: conversationEventIds.handoffEnded(chatId, at.getTime()),
    type: 'handoff_ended',
    at: at.toISOString(),
    channel: 'cloud',
    chatId,
    reason,
  };
}

export function chatClosed(chatId: string, at: Date): ConversationEventOf<'chat_closed'> {
  return {
    v,
    id: conversationEventIds.closed(chatId, at.getTime()),
    type: 'chat_closed',
    at: at.toISOString(),
    channel: 'cloud',
    chatId,
  };
}

export function chatErased(chatId: string, at: Date): ConversationEventOf<'chat_erased'> {
  return {
    v,
    id: conversationEventIds.erased(chatId, at.getTime()),
    type: 'chat_erased',
    at: at.toISOString(),
    channel: 'cloud',
    chatId,
  };
}
