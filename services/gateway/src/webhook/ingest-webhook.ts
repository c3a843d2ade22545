import { forCorrelation, isPermanentError, type Logger } from '@helpline/runtime';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { MessageSink } from '../ingest/message-sink.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { outboundJobIdOf } from '../cloud/graph-message-body.js';
import type { DeliveryStatusUpdate, OutboundObserver } from '../outbound/channel-sender.js';
import type { SendGuard } from '../outbound/send-guard.js';
import { normalisePayload, type WebhookEnvelope } from './normalise-payload.js';
import type { RefusedMessageInput, RefusedMessageStore } from './refused-messages.js';

export interface IngestWebhookDeps {
  sink: MessageSink;
  conversationWindow: ConversationWindow;
  deliveryStore: DeliveryStore;
  observers: readonly OutboundObserver[];
  /** Where messages that cannot enter the pipeline are kept for an operator. */
  refusedMessages: RefusedMessageStore;
  /** Marks an outbound job sent when Meta reports its message (see SendGuard.confirmSent). */
  sendConfirmations: Pick<SendGuard, 'confirmSent'>;
  metrics: GatewayMetrics;
  clock: () => Date;
}

export interface IngestResult {
  accepted: number;
  duplicate: number;
  /** Messages kept aside for an operator (GET /api/webhook/refused) instead of the queue. */
  refused: number;
  statuses: number;
  ignored: string[];
}

/**
 * One verified webhook payload: every message to the sink (and its chat's 24-hour window
 * refreshed), every status into the delivery state, every message that cannot enter the
 * pipeline into the refused store. Resolves only when all of it is in Redis; any failure
 * rejects, so the caller answers an error and Meta delivers again. Messages go one by
 * one, in order: a chat's messages keep the order Meta sent them.
 */
export async function ingestWebhook(
  envelope: WebhookEnvelope,
  deps: IngestWebhookDeps,
  log: Logger,
): Promise<IngestResult> {
  const now = deps.clock();
  const { messages, statuses, refused, ignored } = normalisePayload(envelope, now);
  const result: IngestResult = { accepted: 0, duplicate: 0, refused: 0, statuses: 0, ignored };

  const keepRefused = async (message: Omit<RefusedMessageInput, 'receivedAt'>): Promise<void> => {
    const { id, fresh } = await deps.refusedMessages.keep({ ...message, receivedAt: now.toISOString() });
    result.refused += 1;
    if (!fresh) return;
    deps.metrics.webhookEvents.inc({ outcome: 'refused' });
    // The reason names fields, never their values; the message itself stays in Redis.
    log.warn(
      { refusedId: id, reason: message.reason },
      'webhook message refused; kept for an operator (GET /api/webhook/refused)',
    );
  };

  for (const part of refused) await keepRefused(part);

  for (const message of messages) {
    // The window opens before the sink sees the message: the sink may enqueue an answer
    // (the conversation's notice or menu) that the outbound worker can send at once.
    await deps.conversationWindow.touch(message.chatId, new Date(message.sentAt));
    let outcome: 'accepted' | 'duplicate';
    try {
      outcome = await deps.sink.accept(message, forCorrelation(log, message.correlationId));
    } catch (error) {
      // A payload a queue's contract refuses (the sink adds what the message did not carry,
      // such as the chat's history) cannot succeed on a redelivery either.
      if (!isPermanentError(error)) throw error;
      await keepRefused({
        reason: `refused on the way to the queue: ${error.message}`,
        chatId: message.chatId,
        payload: { normalised: message },
      });
      continue;
    }
    deps.metrics.webhookEvents.inc({ outcome });
    if (outcome === 'accepted') {
      result.accepted += 1;
      deps.metrics.messagesReceived.inc({ channel: message.channel, type: message.type });
    } else {
      result.duplicate += 1;
    }
  }

  for (const update of statuses) {
    await applyDeliveryStatus(update, deps, log);
    result.statuses += 1;
  }
  if (ignored.length > 0) log.debug({ ignored }, 'webhook parts ignored');
  return result;
}

export type DeliveryStatusDeps = Pick<
  IngestWebhookDeps,
  'deliveryStore' | 'observers' | 'sendConfirmations' | 'metrics'
>;

/**
 * The one place a channel's delivery status is recorded (Cloud API statuses, Twilio status
 * callbacks): the delivery state, the send guard's mark, the metrics, the observers.
 */
export async function applyDeliveryStatus(
  update: DeliveryStatusUpdate,
  deps: DeliveryStatusDeps,
  log: Logger,
): Promise<void> {
  // Any status but `failed` means the channel took the message: a re-run of its job must
  // not send it again, even if the run that sent it died before it could say so.
  const outboundJobId = outboundJobIdOf(update.callbackData);
  // The delivery state, the send guard's mark and the observers touch keys of their own and
  // depend on none of the others: issued together they leave in one write (the connection
  // pipelines) and wait for one round trip instead of three. Each is idempotent, so a
  // failure of any answers an error and the redelivery repeats them all harmlessly.
  await Promise.all([
    deps.deliveryStore.apply(update),
    outboundJobId && update.status !== 'failed'
      ? deps.sendConfirmations.confirmSent(outboundJobId, update.messageId)
      : undefined,
    ...deps.observers.map((observer) =>
      observer.onStatus && observer !== deps.deliveryStore ? observer.onStatus(update) : undefined,
    ),
  ]);
  deps.metrics.deliveryStatuses.inc({ status: update.status });
  if (update.status === 'failed') {
    const codes = update.errors?.length ? update.errors.map((e) => String(e.code)) : ['unknown'];
    for (const code of codes) deps.metrics.deliveryFailures.inc({ code });
    log.warn(
      { messageId: update.messageId, outboundJobId, errors: update.errors },
      'WhatsApp reports a message failed',
    );
  }
}
