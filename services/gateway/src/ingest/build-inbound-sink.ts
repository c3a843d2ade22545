// The one place every channel's inbound passes (webhook and group adapter) before it reaches
// the conversation: arrivals are recorded for the end-to-end latency of the replies and for
// the silent-loss alarm.
import type { ServiceMetrics } from '@helpline/runtime';
import type { Redis } from 'ioredis';
import { cloudApiConfigured, type GatewayConfig, twilioConfigured } from '../config.js';
import type { ArrivalLog } from '../latency/arrival-log.js';
import { recordArrivals } from '../latency/arrival-recording-sink.js';
import { createInboundSilence, noteInboundArrivals } from '../metrics/inbound-silence.js';
import type { MessageSink } from './message-sink.js';

/**
 * What a test may put where inbound messages go instead of the conversation: a sink, or a
 * function given the plain enqueuer and the conversation's sink that returns one.
 */
export type InboundSinkOverride =
  | MessageSink
  | ((parts: { enqueue: MessageSink; conversation: MessageSink }) => MessageSink);

/** The sink messages go to once noted: the override's, else the conversation's. */
export function inboundTarget(
  given: InboundSinkOverride | undefined,
  parts: { enqueue: MessageSink; conversation: MessageSink },
): MessageSink {
  return typeof given === 'function' ? given(parts) : (given ?? parts.conversation);
}

export interface InboundSinkParts {
  /** Where messages go once noted: the conversation's sink, or what a test put instead. */
  target: MessageSink;
  arrivals: ArrivalLog;
  redis: Redis;
  keyPrefix: string;
  metrics: ServiceMetrics;
  config: GatewayConfig;
  /** Whether the group session is open; undefined while group mode is off (or not built yet). */
  groupOpen: () => boolean | undefined;
  clock: () => Date;
}

export function buildInboundSink(parts: InboundSinkParts): MessageSink {
  const { config, clock } = parts;
  // The silent-loss alarm's inputs: the last arrival (in Redis, across replicas), the
  // configured quiet period, and whether a channel is up (group state read at scrape time).
  const inboundSilence = createInboundSilence({
    redis: parts.redis,
    key: `${parts.keyPrefix}:inbound:last-arrival`,
    metrics: parts.metrics,
    alertAfterMinutes: config.INBOUND_SILENCE_ALERT_MINUTES,
    channelsUp: () => {
      const group = parts.groupOpen();
      return {
        cloud: cloudApiConfigured(config),
        twilio: twilioConfigured(config),
        ...(group !== undefined ? { group } : {}),
      };
    },
    clock,
  });
  return noteInboundArrivals(recordArrivals(parts.target, parts.arrivals, clock), inboundSilence, clock);
}
