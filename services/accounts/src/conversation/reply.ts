import { type AccountRequest, jobIds, type OutboundMessageInput } from '@helpline/contracts';
import type { Producer as QueueProducer } from '@helpline/runtime';
import type { RequestOutcome } from '../metrics/accounts-metrics.js';
import type { Texts } from './texts.js';

export type OutboundContentInput = OutboundMessageInput['content'];
export type Meta = NonNullable<OutboundMessageInput['meta']>;

/**
 * Sends the answers of one request through `outbound`. Each message's job id is the
 * correlation id and its purpose, so a retried request sends nothing twice.
 */
export function createReplier(outbound: QueueProducer<'outbound'>, request: AccountRequest, texts: Texts) {
  const base = {
    correlationId: request.correlationId,
    channel: request.replyTo.channel,
    to: request.replyTo.chatId,
  };
  const classification = request.kind === 'message' ? request.classification : undefined;
  // On every answer, as the classification: whichever goes out first puts the voice note's
  // words on its log entry, and the gateway writes the same words only once.
  const transcript = request.kind === 'message' ? request.transcript : undefined;
  return {
    texts,
    language: request.replyTo.language,
    /** What the request came to, when not simply answered (a question asked, an outage): for the metric. */
    outcome: undefined as RequestOutcome | undefined,
    /** `delayMs`: messages of one answer that must arrive in order (the outbound worker sends in parallel). */
    async send(purpose: string, content: OutboundContentInput, meta: Meta = {}, delayMs = 0): Promise<void> {
      const fullMeta: Meta = {
        ...(classification ? { classification } : {}),
        ...(transcript ? { transcript } : {}),
        ...meta,
      };
      const message: OutboundMessageInput = {
        ...base,
        purpose,
        content,
        ...(Object.keys(fullMeta).length > 0 ? { meta: fullMeta } : {}),
      };
      await outbound.add(message, {
        jobId: jobIds.outbound(request.correlationId, purpose),
        ...(delayMs > 0 ? { delay: delayMs } : {}),
      });
    },
    text(purpose: string, body: string, meta: Meta = {}) {
      return this.send(purpose, { kind: 'text', body: body.slice(0, 4096) }, meta);
    },
  };
}
export type Replier = ReturnType<typeof createReplier>;
