import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics, type Redis, type ServiceMetrics } from '@helpline/runtime';
import { uniqueQueueName } from '@helpline/testkit';
import {
  createFakeBaileysSocketFactory,
  type FakeBaileysSocket,
  type FakeBaileysSocketFactory,
} from '@helpline/testkit/baileys';
import type { MessageSink } from '../../src/ingest/message-sink.js';
import {
  createGroupChannel,
  createGroupRedis,
  type GroupChannel,
  type GroupChannelOptions,
} from '../../src/groups/group-channel.js';
import { groupConfigSchema } from '../../src/groups/group-config.js';
import { quietLogger } from './harness.js';

export const GROUP = '120363400000000000@g.us';
export const OTHER_GROUP = '120363499999999999@g.us';

export interface GroupTestRig {
  channel: GroupChannel;
  factory: FakeBaileysSocketFactory;
  redis: Redis;
  metrics: ServiceMetrics;
  keyPrefix: string;
  spoolDir: string;
  terminal: string[];
  /** Starts the channel and opens its first socket, as a linked account's connection does. */
  startOpen(): Promise<FakeBaileysSocket>;
  close(): Promise<void>;
}

/** A group channel on the test Redis, driven through fake Baileys sockets. */
export async function groupRig(
  redisUrl: string,
  sink: MessageSink,
  env: Record<string, string> = {},
  overrides: Partial<GroupChannelOptions> & { factory?: FakeBaileysSocketFactory; spoolDir?: string } = {},
): Promise<GroupTestRig> {
  const spoolDir = overrides.spoolDir ?? (await mkdtemp(join(tmpdir(), 'helpline-spool-')));
  const config = groupConfigSchema.parse({
    BAILEYS_ENABLED: 'true',
    WHATSAPP_GROUP_IDS: GROUP,
    BAILEYS_SPOOL_PATH: join(spoolDir, 'spool.jsonl'),
    GROUP_MIN_INTERVAL_MS: '0',
    ...env,
  });
  const redis = overrides.redis ?? createGroupRedis(redisUrl);
  const factory = overrides.factory ?? createFakeBaileysSocketFactory();
  const metrics = overrides.metrics ?? createMetrics('gateway');
  const terminal: string[] = [];
  const keyPrefix = overrides.keyPrefix ?? `${uniqueQueueName('groups')}:`;
  const channel = createGroupChannel({
    config,
    redis,
    keyPrefix,
    sink,
    logger: quietLogger(),
    metrics,
    socketFactory: factory,
    terminal: (text) => terminal.push(text),
    leaseMs: 600,
    backoff: { baseMs: 20, maxMs: 100, random: () => 0.5 },
    spoolRetryMs: 50,
    ...overrides,
  });
  return {
    channel,
    factory,
    redis,
    metrics,
    keyPrefix,
    spoolDir,
    terminal,
    async startOpen() {
      await channel.start();
      const socket = await factory.waitForSocket(1);
      socket.open();
      return socket;
    },
    async close() {
      await channel.stop();
      if (!overrides.redis) await redis.quit();
      if (!overrides.spoolDir) await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

/** A sink that keeps what it accepts, in order (and can be told to fail). */
export function recordingSink(): MessageSink & {
  accepted: import('@helpline/contracts').InboundMessage[];
  fail?: Error;
} {
  const sink = {
    accepted: [] as import('@helpline/contracts').InboundMessage[],
    fail: undefined as Error | undefined,
    async accept(message: import('@helpline/contracts').InboundMessage) {
      if (sink.fail) throw sink.fail;
      if (sink.accepted.some((m) => m.id === message.id)) return 'duplicate' as const;
      sink.accepted.push(message);
      return 'accepted' as const;
    },
  };
  return sink;
}

/** Waits until the check passes (polling), or fails with the last error. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** The value of one metric series in the registry's text output. */
export async function metricValue(metrics: ServiceMetrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(series.replace('}', ',')));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}
