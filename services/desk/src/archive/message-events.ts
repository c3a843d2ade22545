import type { ConversationEventOf } from '@helpline/contracts';

export type Received = ConversationEventOf<'message_received'>;
export type Sent = ConversationEventOf<'message_sent'>;
/** The events that become rows of `messages`. */
export type MessageEvent = Received | Sent;
