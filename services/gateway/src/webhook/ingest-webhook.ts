import type { Logger } from '@helpline/runtime';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { MessageSink } from '../ingest/message-sink.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { OutboundObserver } from '../outbound/channel-sender.js';
import { normalisePayload, type WebhookEnvelope } from './normalise-payload.js';

export interface IngestWebhookDeps {
  sink: MessageSink;
  conversationWindow: ConversationWindow;
  deliveryStore: DeliveryStore;
  observers: readonly OutboundObserver[];
  metrics: GatewayMetrics;
  clock: () => Date;
}

export interface IngestResult {
  accepted: number;
  duplicate: number;
  statuses: number;
  ignored: string[];
}

/**
 * One verified webhook payload: every message to the sink (and its chat's 24-hour window
 * refreshed), every status into the delivery state. Resolves only when all of it is in
 * Redis; any failure rejects, so the caller answers an error and Meta delivers again.
 * Messages go one by one, in order: a chat's messages keep the order Meta sent them.
 */
export async function ingestWebhook(envelope: WebhookEnvelope, deps: IngestWebhookDeps, log: Logger): Promise<IngestResult> {
  const now = deps.clock();
  const { messages, statuses, ignored } = normalisePayload(envelope, now);
  const result: IngestResult = { accepted: 0, duplicate: 0, statuses: 0, ignored };

  for (const message of messages) {
    // The window opens before the sink sees the message: the sink may enqueue an answer
    // (the conversation's notice or menu) that the outbound worker can send at once.
    await deps.conversationWindow.touch(message.chatId, new Date(message.sentAt));
    const outcome = await deps.sink.accept(message, log.child({ correlationId: message.correlationId }));
    deps.metrics.webhookEvents.inc({ outcome });
    if (outcome === 'accepted') {
      result.accepted += 1;
      deps.metrics.messagesReceived.inc({ channel: message.channel, type: message.type });
    } else {
      result.duplicate += 1;
    }
  }

  for (const update of statuses) {
    await deps.deliveryStore.apply(update);
    deps.metrics.deliveryStatuses.inc({ status: update.status });
    if (update.status === 'failed') {
      const codes = update.errors?.length ? update.errors.map((e) => String(e.code)) : ['unknown'];
      for (const code of codes) deps.metrics.deliveryFailures.inc({ code });
      log.warn({ messageId: update.messageId, errors: update.errors }, 'WhatsApp reports a message failed');
    }
    for (const observer of deps.observers) {
      if (observer.onStatus && observer !== deps.deliveryStore) await observer.onStatus(update);
    }
    result.statuses += 1;
  }
  if (ignored.length > 0) log.debug({ ignored }, 'webhook parts ignored');
  return result;
}
