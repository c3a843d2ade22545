// What the channels keep in Redis beside the conversation: the 24-hour windows of both
// numbers, Twilio's numbered choices, delivery state, the last send errors, refused webhook
// messages; and the templates file. Tests replace any of them through the overrides.
import type { Redis } from 'ioredis';
import { type ConversationWindow, createConversationWindow } from './cloud/conversation-window.js';
import { createSendErrorLog, type SendErrorLog } from './cloud/send-error-log.js';
import type { GatewayConfig } from './config.js';
import { createDeliveryStore, type DeliveryStore } from './delivery/delivery-store.js';
import type { ConversationEventStream } from './events/conversation-event-stream.js';
import { loadTemplatesFile, type TemplateBook } from './templates/templates-file.js';
import { createNumberedOptions, type NumberedOptions } from './twilio/numbered-options.js';
import { createRefusedMessageStore, type RefusedMessageStore } from './webhook/refused-messages.js';

export interface ChannelStores {
  conversationWindow: ConversationWindow;
  twilioWindow: ConversationWindow;
  numberedOptions: NumberedOptions;
  templates: TemplateBook;
  deliveryStore: DeliveryStore;
  sendErrors: SendErrorLog;
  twilioSendErrors: SendErrorLog;
  refusedMessages: RefusedMessageStore;
}

export function buildChannelStores(
  parts: {
    redis: { producer: Redis; sends: Redis };
    keyPrefix: string;
    events: ConversationEventStream;
    config: GatewayConfig;
    clock: () => Date;
  },
  overrides: Partial<ChannelStores>,
): ChannelStores {
  const { redis, keyPrefix } = parts;
  return {
    conversationWindow: overrides.conversationWindow ?? createConversationWindow(redis.producer, keyPrefix),
    twilioWindow: overrides.twilioWindow ?? createConversationWindow(redis.producer, `${keyPrefix}:twilio`),
    numberedOptions: overrides.numberedOptions ?? createNumberedOptions(redis.producer, `${keyPrefix}:twilio`),
    // Validated at start: a broken file stops the gateway with one line per fault (main).
    templates: overrides.templates ?? loadTemplatesFile(parts.config.WHATSAPP_TEMPLATES_FILE),
    deliveryStore: overrides.deliveryStore ?? createDeliveryStore(redis.producer, keyPrefix, parts.clock, parts.events),
    sendErrors:
      overrides.sendErrors ??
      createSendErrorLog({ write: redis.sends, read: redis.producer }, `${keyPrefix}:cloud:last-error`),
    twilioSendErrors:
      overrides.twilioSendErrors ??
      createSendErrorLog({ write: redis.sends, read: redis.producer }, `${keyPrefix}:twilio:last-error`),
    refusedMessages:
      overrides.refusedMessages ?? createRefusedMessageStore(redis.producer, `${keyPrefix}:webhook:refused`),
  };
}
