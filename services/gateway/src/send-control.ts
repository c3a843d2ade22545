// What stands between an outbound job and a send: at most one send per job id (the send
// guard, and its marks from the webhook's side) and the notices held back at send time.
import type { ServiceBase } from '@helpline/runtime';
import type { Redis } from 'ioredis';
import type { GatewayConfig } from './config.js';
import type { Conversation } from './conversation/create-conversation.js';
import type { ConversationEventStream } from './events/conversation-event-stream.js';
import { createNoticeGate, type NoticeGate } from './outbound/notice-gate.js';
import { createSendGuard, type SendGuard, type SendGuardOptions } from './outbound/send-guard.js';

export function buildSendControl(parts: {
  base: ServiceBase<GatewayConfig>;
  redis: { producer: Redis; sends: Redis };
  conversation: Pick<Conversation, 'store'>;
  events: ConversationEventStream;
  sendGuard?: SendGuard;
  sendGuardOptions?: SendGuardOptions;
}): { sendGuard: SendGuard; sendConfirmations: Pick<SendGuard, 'confirmSent'>; noticeGate: NoticeGate } {
  const { base, redis } = parts;
  // The sends connection: marking a message sent waits out a Redis blip rather than failing.
  const sendGuard = parts.sendGuard ?? createSendGuard(redis.sends, base.keyPrefix, parts.sendGuardOptions);
  // The same marks from the webhook's side, on the producer connection: a status that
  // cannot be recorded while Redis is away answers 503 at once, and Meta delivers it again.
  const sendConfirmations = createSendGuard(redis.producer, base.keyPrefix, parts.sendGuardOptions);
  // The sends connection, like the send guard: a Redis blip delays a notice, never fails it.
  const noticeGate = createNoticeGate({
    redis: redis.sends,
    prefix: base.prefix,
    getChat: (chatId) => parts.conversation.store.getChat(chatId),
    noticeVersion: base.config.PRIVACY_NOTICE_VERSION,
    events: parts.events,
    metrics: base.metrics,
    clock: base.clock,
  });
  return { sendGuard, sendConfirmations, noticeGate };
}
