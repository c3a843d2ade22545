import { CHANNELS } from '@helpline/contracts';
import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter, Histogram } from 'prom-client';

export const WEBHOOK_OUTCOMES = [
  'accepted',
  'duplicate',
  'refused',
  'invalid_signature',
  'bad_request',
  'ignored',
  'unavailable',
] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * The gateway's own metrics, on the service registry. Labels are of low cardinality only:
 * outcomes, message types, channels, Graph error codes; never a phone number or a wamid.
 */
export interface GatewayMetrics {
  /** Webhook results: per message for accepted/duplicate/refused, per request for the rest. */
  webhookEvents: Counter<'outcome'>;
  messagesReceived: Counter<'channel' | 'type'>;
  /** outcome: sent, retrying, failed; code: Graph error code, `network`, or `none`. */
  messagesSent: Counter<'channel' | 'outcome' | 'code'>;
  /** reason: `window_closed` (known beforehand) or `meta_131047` (Meta said so). */
  windowFallbacks: Counter<'reason'>;
  sendDuration: Histogram<'channel'>;
  deliveryStatuses: Counter<'status'>;
  deliveryFailures: Counter<'code'>;
  /** Outbound job runs that found their message already sent and sent nothing (send guard). */
  duplicatesAvoided: Counter<'channel'>;
  /** From an inbound message's arrival to the send of a reply to it, by the reply's purpose. */
  endToEnd: Histogram<'purpose'>;
}

export function createGatewayMetrics(metrics: ServiceMetrics): GatewayMetrics {
  const registers = [metrics.registry];
  const webhookEvents = new Counter({
    name: `${METRIC_PREFIX}webhook_events_total`,
    help: 'Meta webhook results: messages accepted, duplicate or refused (kept for an operator); requests refused (signature, bad request), ignored, or unavailable (Redis)',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of WEBHOOK_OUTCOMES) webhookEvents.inc({ outcome }, 0);
  const duplicatesAvoided = new Counter({
    name: `${METRIC_PREFIX}outbound_duplicates_avoided_total`,
    help: 'Outbound job runs that found their message already sent (a re-run after a crash or a stalled job) and did not send it again',
    labelNames: ['channel'] as const,
    registers,
  });
  for (const channel of CHANNELS) duplicatesAvoided.inc({ channel }, 0);
  return {
    webhookEvents,
    messagesReceived: new Counter({
      name: `${METRIC_PREFIX}messages_received_total`,
      help: 'Inbound messages stored, by channel and normalised type',
      labelNames: ['channel', 'type'] as const,
      registers,
    }),
    messagesSent: new Counter({
      name: `${METRIC_PREFIX}messages_sent_total`,
      help: 'Outbound send attempts by channel, outcome (sent, retrying, failed) and Graph error code',
      labelNames: ['channel', 'outcome', 'code'] as const,
      registers,
    }),
    windowFallbacks: new Counter({
      name: `${METRIC_PREFIX}window_fallbacks_total`,
      help: 'Free-form messages sent as the window template instead (24-hour window closed)',
      labelNames: ['reason'] as const,
      registers,
    }),
    sendDuration: new Histogram({
      name: `${METRIC_PREFIX}send_duration_seconds`,
      help: 'Time of one send call to the channel (Graph API request), successful or not',
      labelNames: ['channel'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
      registers,
    }),
    deliveryStatuses: new Counter({
      name: `${METRIC_PREFIX}delivery_statuses_total`,
      help: 'Delivery statuses reported by WhatsApp, by status',
      labelNames: ['status'] as const,
      registers,
    }),
    deliveryFailures: new Counter({
      name: `${METRIC_PREFIX}delivery_failures_total`,
      help: 'Messages WhatsApp reported as failed, by error code',
      labelNames: ['code'] as const,
      registers,
    }),
    duplicatesAvoided,
    endToEnd: new Histogram({
      name: `${METRIC_PREFIX}end_to_end_seconds`,
      help: "From a customer's message reaching the gateway to the send of a reply to it, by the reply's purpose (other: not a known reply purpose)",
      labelNames: ['purpose'] as const,
      // A menu answer takes under a second; a diagnosis or a ticket several seconds to minutes.
      buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
  };
}
