import type { InboundMessage } from '@helpline/contracts';
import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { MessageSink } from '../ingest/message-sink.js';

/**
 * The inputs of the silent-loss alarm (`HelplineNoInboundMessages`): when the last inbound
 * message reached any replica, the quiet period operators configured, and whether a
 * channel is up. The time is kept in Redis, so a restarted or added replica reports the
 * real last arrival rather than none; the alert compares the three in Prometheus.
 */
export interface InboundSilence {
  /** Notes an arrival; writes to Redis at most once per `minWriteIntervalMs` per replica. */
  noteArrival(atMs: number): Promise<void>;
}

export interface InboundSilenceOptions {
  redis: Redis;
  key: string;
  metrics: ServiceMetrics;
  /** INBOUND_SILENCE_ALERT_MINUTES, exported so the alert needs no number of its own. */
  alertAfterMinutes: number;
  /** Which channels can bring messages in right now (Cloud API configured, group session open). */
  channelsUp: () => { cloud: boolean; twilio?: boolean; group?: boolean };
  /** The alarm counts minutes: one write every few seconds is precise enough under any load. */
  minWriteIntervalMs?: number;
  clock: () => Date;
}

export function createInboundSilence(options: InboundSilenceOptions): InboundSilence {
  const { redis, key } = options;
  const minWriteIntervalMs = options.minWriteIntervalMs ?? 5_000;
  const registers = [options.metrics.registry];
  new Gauge({
    name: `${METRIC_PREFIX}inbound_silence_alert_seconds`,
    help: 'How long no inbound message may arrive, while a channel is up, before HelplineNoInboundMessages fires (INBOUND_SILENCE_ALERT_MINUTES)',
    registers,
  }).set(options.alertAfterMinutes * 60);
  /**
   * The last arrival in ms. Before any message ever arrived, the time of the first scrape
   * is stored in its place (once, NX): an installation that never receives anything is as
   * silent as one that stopped receiving, and the alarm must say so.
   */
  async function lastArrivalMs(): Promise<number> {
    const value = await redis.get(key);
    if (value !== null) return Number(value);
    const now = options.clock().getTime();
    await redis.set(key, String(now), 'NX');
    return Number((await redis.get(key)) ?? now);
  }
  new Gauge({
    name: `${METRIC_PREFIX}inbound_last_received_timestamp_seconds`,
    help: 'When the last inbound message (either channel, any replica) reached the gateway, or the gateway was first watched if none ever did, in Unix seconds, read from Redis at scrape time; 0 when Redis is unreachable',
    registers,
    async collect() {
      // An unlabelled series always exists, so "unknown" is 0: the alert ignores it, and a
      // scrape while Redis is away still answers rather than failing.
      const ms = await lastArrivalMs().catch(() => Number.NaN);
      this.set(Number.isFinite(ms) ? ms / 1000 : 0);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}channel_up`,
    help: 'Whether a channel can bring messages in: cloud when the Cloud API is configured, twilio when Twilio is, group when this replica holds an open group session',
    labelNames: ['channel'] as const,
    registers,
    collect() {
      const up = options.channelsUp();
      this.set({ channel: 'cloud' }, up.cloud ? 1 : 0);
      if (up.twilio !== undefined) this.set({ channel: 'twilio' }, up.twilio ? 1 : 0);
      if (up.group !== undefined) this.set({ channel: 'group' }, up.group ? 1 : 0);
    },
  });

  let lastWriteMs = Number.NEGATIVE_INFINITY;
  return {
    async noteArrival(atMs) {
      if (atMs - lastWriteMs < minWriteIntervalMs) return;
      lastWriteMs = atMs;
      await redis.set(key, String(atMs));
    },
  };
}

/** Wraps a sink so that every inbound message, of either channel, notes its arrival. */
export function noteInboundArrivals(inner: MessageSink, silence: InboundSilence, clock: () => Date): MessageSink {
  return {
    async accept(message: InboundMessage, log) {
      const result = await inner.accept(message, log);
      // After the message is stored: an arrival the sink refused is no sign of life. A
      // failed note only delays the alarm's reset; the message itself is safe.
      await silence
        .noteArrival(clock().getTime())
        .catch((error: unknown) => log.warn({ err: error }, 'could not note the last inbound arrival'));
      return result;
    },
  };
}
