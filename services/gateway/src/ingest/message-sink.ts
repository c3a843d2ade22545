import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';

/**
 * Where every normalised inbound message goes: the webhook (and the Baileys adapter) hand
 * each message to the sink from the context and acknowledge only once it resolves. A sink
 * may wrap another (the conversation's consent gate wraps the enqueuer). It must reject
 * (QueueUnavailableError) rather than resolve when the message is not stored.
 */
export interface MessageSink {
  accept(message: InboundMessage, log: Logger): Promise<'accepted' | 'duplicate'>;
}
