// The chat eraser as the gateway wires it: every store that names a chat, on the
// connections an operator's request should use.
import type { Producer } from '@helpline/runtime';
import type { Logger } from '@helpline/runtime';
import type { Redis } from 'ioredis';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import { createRecipientPacer } from '../cloud/recipient-pacer.js';
import type { Conversation } from '../conversation/create-conversation.js';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { ConversationEventStream } from '../events/conversation-event-stream.js';
import type { ArrivalLog } from '../latency/arrival-log.js';
import { REPLY_PURPOSES } from '../latency/reply-purpose.js';
import type { NumberedOptions } from '../twilio/numbered-options.js';
import type { RefusedMessageStore } from '../webhook/refused-messages.js';
import { type ChatEraser, createChatEraser } from './chat-eraser.js';

export interface ChatEraserParts {
  conversation: Pick<Conversation, 'store' | 'staff'>;
  deliveryStore: DeliveryStore;
  conversationWindow: ConversationWindow;
  twilioWindow: ConversationWindow;
  numberedOptions: NumberedOptions;
  arrivals: ArrivalLog;
  refusedMessages: RefusedMessageStore;
  producers: {
    inbound: Producer<'inbound'>;
    outbound: Producer<'outbound'>;
    diagnostics: Producer<'diagnostics'>;
    accounts?: Producer<'accounts'>;
  };
  /** The producer connection: an operator's request fails fast while Redis is away. */
  redis: Redis;
  /** The queues' connection, to look job ids up. */
  queuesRedis: Redis;
  keyPrefix: string;
  events: ConversationEventStream;
  clock: () => Date;
  logger: Logger;
}

export function buildChatEraser(parts: ChatEraserParts): ChatEraser {
  const { conversationWindow, twilioWindow, numberedOptions, producers } = parts;
  return createChatEraser({
    store: parts.conversation.store,
    staff: parts.conversation.staff,
    deliveryStore: parts.deliveryStore,
    // Both numbers' windows, and the numbered choices last offered on Twilio.
    window: {
      async forget(chatId) {
        const cloud = await conversationWindow.forget(chatId);
        const twilioOpen = await twilioWindow.forget(chatId);
        const options = await numberedOptions.forget(chatId);
        return cloud || twilioOpen || options;
      },
    },
    pacer: createRecipientPacer(parts.redis, `${parts.keyPrefix}:cloud`),
    arrivals: parts.arrivals,
    refusedMessages: parts.refusedMessages,
    queues: {
      inbound: producers.inbound.queue,
      outbound: producers.outbound.queue,
      diagnostics: producers.diagnostics.queue,
      ...(producers.accounts ? { accounts: producers.accounts.queue } : {}),
    },
    redis: parts.queuesRedis,
    // Operators' messages (POST /api/send-message) often use `operator`.
    purposes: [...REPLY_PURPOSES, 'operator'],
    events: parts.events,
    clock: parts.clock,
    logger: parts.logger,
  });
}
