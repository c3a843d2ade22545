import { type InboundMessage, jobIds } from '@helpline/contracts';
import type { Logger, Producer } from '@helpline/runtime';
import type { MessageSink } from './message-sink.js';

export interface InboundEnqueuerDeps {
  producer: Producer<'inbound'>;
}

/**
 * The default sink: the message goes on `inbound` with its own id as job id, so a message
 * Meta delivers twice is stored once. Errors (Redis away, payload refused) propagate: the
 * caller must not acknowledge what was not stored.
 */
export function createInboundEnqueuer({ producer }: InboundEnqueuerDeps): MessageSink {
  return {
    async accept(message: InboundMessage, log: Logger) {
      const { duplicate } = await producer.add(message, { jobId: jobIds.inbound(message.id), reportDuplicate: true });
      if (duplicate) log.debug({ messageId: message.id }, 'inbound message already stored');
      return duplicate ? 'duplicate' : 'accepted';
    },
  };
}
