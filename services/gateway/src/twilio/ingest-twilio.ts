import { forCorrelation, isPermanentError, type Logger } from '@helpline/runtime';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import type { MessageSink } from '../ingest/message-sink.js';
import { outboundJobIdOf } from '../cloud/graph-message-body.js';
import { applyDeliveryStatus, type DeliveryStatusDeps } from '../webhook/ingest-webhook.js';
import type { RefusedMessageStore } from '../webhook/refused-messages.js';
import type { NumberedOptions } from './numbered-options.js';
import { normaliseTwilioMessage } from './normalise-twilio.js';
import { normaliseTwilioStatus } from './normalise-twilio-status.js';
import type { FormParam } from './twilio-signature.js';

export interface IngestTwilioDeps extends DeliveryStatusDeps {
  sink: MessageSink;
  /** The Twilio number's 24-hour windows. */
  twilioWindow: ConversationWindow;
  numberedOptions: NumberedOptions;
  refusedMessages: RefusedMessageStore;
  clock: () => Date;
}

export type TwilioIngestOutcome = 'accepted' | 'duplicate' | 'refused';

/**
 * One verified incoming message: normalised, a number answering the choices last offered
 * read as that choice, the chat's window refreshed, then handed to the sink (the same
 * conversation as Cloud API chats). Resolves only once stored; a message that cannot be an
 * `InboundMessage` is kept for an operator (GET /api/webhook/refused) and answered 200.
 */
export async function ingestTwilioMessage(
  params: readonly FormParam[],
  deps: IngestTwilioDeps,
  log: Logger,
): Promise<TwilioIngestOutcome> {
  const now = deps.clock();
  const keep = async (reason: string, chatId: string | undefined, payload: unknown) => {
    const { id, fresh } = await deps.refusedMessages.keep({
      reason,
      ...(chatId ? { chatId } : {}),
      payload,
      receivedAt: now.toISOString(),
    });
    if (fresh) {
      deps.metrics.webhookEvents.inc({ outcome: 'refused' });
      log.warn({ refusedId: id, reason }, 'Twilio message refused; kept for an operator (GET /api/webhook/refused)');
    }
    return 'refused' as const;
  };
  const normalised = normaliseTwilioMessage(params, now);
  if (!normalised.ok) return keep(normalised.reason, undefined, { twilio: Object.fromEntries(params) });
  const message = await deps.numberedOptions.resolve(normalised.message);
  await deps.twilioWindow.touch(message.chatId, new Date(message.sentAt));
  let outcome: 'accepted' | 'duplicate';
  try {
    outcome = await deps.sink.accept(message, forCorrelation(log, message.correlationId));
  } catch (error) {
    if (!isPermanentError(error)) throw error;
    return keep(`refused on the way to the queue: ${error.message}`, message.chatId, { normalised: message });
  }
  deps.metrics.webhookEvents.inc({ outcome });
  if (outcome === 'accepted') deps.metrics.messagesReceived.inc({ channel: 'twilio', type: message.type });
  return outcome;
}

/**
 * One verified status callback, recorded where the Cloud API's statuses are
 * (`applyDeliveryStatus`). A status before `sent` (queued, sending) records nothing but
 * still tells the send guard that Twilio holds the message.
 */
export async function ingestTwilioStatus(
  params: readonly FormParam[],
  job: string | undefined,
  deps: IngestTwilioDeps,
  log: Logger,
): Promise<'recorded' | 'ignored'> {
  const result = normaliseTwilioStatus(params, job, deps.clock());
  switch (result.kind) {
    case 'update':
      await applyDeliveryStatus(result.update, deps, log);
      return 'recorded';
    case 'taken': {
      const jobId = outboundJobIdOf(result.callbackData);
      if (jobId) await deps.sendConfirmations.confirmSent(jobId, result.messageId);
      return 'recorded';
    }
    case 'ignored':
      log.debug({ reason: result.reason }, 'Twilio status callback ignored');
      return 'ignored';
  }
}
