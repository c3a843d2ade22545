import type { InboundMessage, InboundMessageInput } from '@helpline/contracts';
import { InboundMessage as InboundMessageSchema } from '@helpline/contracts';
import { forCorrelation, type Logger, PermanentError } from '@helpline/runtime';
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import type { MessageSink } from '../ingest/message-sink.js';
import { judgeGroupMessage, toInboundMessage } from './group-message.js';
import type { GroupMetrics } from './group-metrics.js';
import type { GroupSocket } from './group-socket.js';
import type { InboundSpool, SubmitOutcome } from './inbound-spool.js';
import type { LidDirectory } from './lid-directory.js';
import type { QuoteRecord, QuoteStore } from './quote-store.js';

/** What the spool keeps per message: the message and what quoting it later takes. */
export interface GroupSpoolEntry {
  message: InboundMessageInput;
  quote: QuoteRecord;
}

export interface GroupInboundOptions {
  allowedGroups: ReadonlySet<string>;
  lids: LidDirectory;
  spool: InboundSpool<GroupSpoolEntry>;
  metrics: GroupMetrics;
  logger: Logger;
  clock: () => Date;
}

/**
 * Hands one spooled or fresh message to Redis: the quote record first (an answer needs it),
 * then the sink. A message the contract refuses fails permanently (the spool keeps it aside).
 */
export function createGroupDelivery(sink: MessageSink, quotes: QuoteStore, metrics: GroupMetrics, logger: Logger) {
  return async (entry: GroupSpoolEntry): Promise<void> => {
    const parsed = InboundMessageSchema.safeParse(entry.message);
    if (!parsed.success)
      throw new PermanentError(
        'invalid_group_message',
        `group message does not fit the contract: ${parsed.error.message}`,
      );
    const message: InboundMessage = parsed.data;
    await quotes.remember(message.id, entry.quote);
    const outcome = await sink.accept(message, forCorrelation(logger, message.correlationId, { channel: 'group' }));
    if (outcome === 'duplicate') metrics.inbound.inc({ outcome: 'duplicate' });
  };
}

/**
 * `messages.upsert` -> InboundMessages. Only `notify` upserts are new messages (`append`
 * is history being filled in); each message is judged, its sender resolved (LID -> phone),
 * and submitted through the spool, one after the other so that order is kept.
 */
export function createGroupInbound(options: GroupInboundOptions) {
  const { metrics } = options;
  return async (
    upsert: BaileysEventMap['messages.upsert'],
    socket: GroupSocket | undefined,
  ): Promise<SubmitOutcome[]> => {
    const outcomes: SubmitOutcome[] = [];
    for (const message of upsert.messages) {
      if (upsert.type !== 'notify') {
        metrics.skipped.inc({ reason: 'not_notify' });
        continue;
      }
      const verdict = judgeGroupMessage(message, options.allowedGroups);
      if (!verdict.take) {
        metrics.skipped.inc({ reason: verdict.reason });
        options.logger.debug({ reason: verdict.reason }, 'group message skipped');
        continue;
      }
      const sender = await options.lids.senderOf(message.key, verdict.participant, socket);
      const inbound = toInboundMessage(message, verdict, sender, options.clock());
      const outcome = await options.spool.submit({
        message: inbound,
        quote: { group: verdict.groupJid, participant: verdict.participant, phone: sender.phone, text: inbound.text },
      });
      metrics.inbound.inc({ outcome });
      outcomes.push(outcome);
    }
    return outcomes;
  };
}
