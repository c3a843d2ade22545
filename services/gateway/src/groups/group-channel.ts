import {
  type CheckResult,
  createRedisConnection,
  type Logger,
  type Redis,
  type ServiceBase,
  type ServiceMetrics,
} from '@helpline/runtime';
import type { RedisOptions } from 'ioredis';
import { makeWASocket } from '@whiskeysockets/baileys';
import type { MessageSink } from '../ingest/message-sink.js';
import type { ChannelSender } from '../outbound/channel-sender.js';
import { allowedGroupIds, type GroupConfig } from './group-config.js';
import { GroupDirectory } from './group-directory.js';
import { createGroupDelivery, createGroupInbound, type GroupSpoolEntry } from './group-inbound.js';
import { groupChannelHealth } from './group-health.js';
import { createGroupMetrics } from './group-metrics.js';
import { createGroupSender } from './group-sender.js';
import { GroupSession, type GroupSessionStatus } from './group-session.js';
import type { GroupSocket, GroupSocketFactory } from './group-socket.js';
import { createInboundSpool, type InboundSpool } from './inbound-spool.js';
import { LidDirectory } from './lid-directory.js';
import { createQuoteStore } from './quote-store.js';
import { createSendThrottle } from './send-throttle.js';
import { createSessionLease } from './session-lease.js';
import { printPairingCodeToTerminal, printQrToTerminal } from './terminal-pairing.js';

export interface GroupChannelOptions {
  config: GroupConfig;
  /** Redis for the auth state, the lease, quotes and the send interval. */
  redis: Redis;
  /** Prefix of group mode's Redis keys (tests pass a unique one). */
  keyPrefix: string;
  sink: MessageSink;
  logger: Logger;
  metrics: ServiceMetrics;
  clock?: () => Date;
  /** `makeWASocket` unless a test passes a fake. */
  socketFactory?: GroupSocketFactory;
  /** Terminal output for the QR and pairing code (stdout unless a test captures it). */
  terminal?: (text: string) => void;
  leaseMs?: number;
  backoff?: { baseMs?: number; maxMs?: number; random?: () => number };
  spoolRetryMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type EnabledGroupStatus = {
  enabled: true;
  allowedGroups: string[];
  spooled: number;
  /** Spooled messages held in memory only, because the spool file cannot be written. */
  unsaved: number;
} & GroupSessionStatus;
/** What /api/status shows of group mode. */
export type GroupStatus = { enabled: false; message: string } | EnabledGroupStatus;

export interface GroupChannel {
  readonly session: GroupSession;
  readonly sender: ChannelSender;
  readonly spool: InboundSpool<GroupSpoolEntry>;
  readonly directory: GroupDirectory;
  readonly allowedGroups: ReadonlySet<string>;
  /** Loads the spool left by a previous run, then starts the session (or waits for the lease). */
  start(): Promise<void>;
  /** Ends the session and flushes the spool's pending writes. */
  stop(): Promise<void>;
  status(): EnabledGroupStatus;
  health(): CheckResult;
  /** The open socket, for the group list. */
  socket(): GroupSocket | undefined;
}

export const GROUPS_DISABLED_MESSAGE = 'group mode disabled: set BAILEYS_ENABLED=true to link a WhatsApp account';

/** Group mode assembled: session, inbound adapter with spool, outbound sender. Nothing runs until start(). */
export function createGroupChannel(options: GroupChannelOptions): GroupChannel {
  const { config, redis, keyPrefix, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const log = logger.child({ component: 'groups' });
  const metrics = createGroupMetrics(options.metrics);
  const allowedGroups = allowedGroupIds(config);
  const directory = new GroupDirectory(allowedGroups);
  const lids = new LidDirectory(log);
  const quotes = createQuoteStore(redis, keyPrefix);
  const leaseMs = options.leaseMs ?? 30_000;

  const spool = createInboundSpool<GroupSpoolEntry>({
    path: config.BAILEYS_SPOOL_PATH,
    deliver: createGroupDelivery(options.sink, quotes, metrics, log),
    logger: log,
    retryMs: options.spoolRetryMs,
    onSize: (size) => metrics.spool.set(size),
    onUnsaved: (unsaved) => metrics.spoolUnsaved.set(unsaved),
    onWriteFailure: () => metrics.spoolWriteFailures.inc(),
    onReplayed: () => metrics.inbound.inc({ outcome: 'replayed' }),
  });
  const inbound = createGroupInbound({ allowedGroups, lids, spool, metrics, logger: log, clock });
  const terminal = options.terminal;

  const session = new GroupSession({
    socketFactory: options.socketFactory ?? makeWASocket,
    redis,
    authKeyPrefix: `${keyPrefix}auth:`,
    lease: createSessionLease(redis, `${keyPrefix}session-lease`, leaseMs),
    leaseMs,
    logger: log,
    metrics,
    groups: directory,
    lids,
    onMessages: async (upsert, socket) => {
      await inbound(upsert, socket);
    },
    printQr: (qr) => printQrToTerminal(qr, terminal),
    printPairingCode: (code, phone) => printPairingCodeToTerminal(code, phone, terminal),
    pairingPhone: config.BAILEYS_PAIRING_PHONE,
    backoff: {
      baseMs: options.backoff?.baseMs ?? 1_000,
      maxMs: options.backoff?.maxMs ?? 60_000,
      random: options.backoff?.random ?? Math.random,
    },
    clock,
  });

  const sender = createGroupSender({
    socket: () => session.openSocket(),
    state: () => session.status().state,
    allowedGroups,
    quotes,
    throttle: createSendThrottle(redis, keyPrefix, config.GROUP_MIN_INTERVAL_MS),
    metrics,
    sleep: options.sleep,
  });

  return {
    session,
    sender,
    spool,
    directory,
    allowedGroups,
    async start() {
      if (allowedGroups.size === 0) {
        log.warn('WHATSAPP_GROUP_IDS is empty: no group message is taken in; list the groups with GET /api/groups');
      }
      await spool.open();
      await session.start();
    },
    async stop() {
      await session.stop();
      await spool.close();
    },
    status() {
      return {
        enabled: true,
        allowedGroups: [...allowedGroups],
        spooled: spool.size(),
        unsaved: spool.health().unsaved,
        ...session.status(),
      };
    },
    health: () => groupChannelHealth(session.status(), spool, config.BAILEYS_SPOOL_PATH),
    socket: () => session.openSocket(),
  };
}

/** Group mode's connection: commands wait in memory while it connects and for one reconnect. */
export const GROUP_REDIS_OPTIONS: RedisOptions = { enableOfflineQueue: true, maxRetriesPerRequest: 1 };

/** A connection like group mode's own, for a channel made outside a context. */
export function createGroupRedis(url: string): Redis {
  return createRedisConnection(url, 'producer', { ...GROUP_REDIS_OPTIONS, connectionName: 'helpline-groups' });
}

export interface GroupModeDeps {
  base: Pick<ServiceBase, 'redis' | 'logger' | 'metrics' | 'clock'>;
  config: GroupConfig & { BAILEYS_ENABLED: boolean };
  sink: MessageSink;
  keyPrefix: string;
  socketFactory?: GroupSocketFactory;
}

/**
 * Group mode when BAILEYS_ENABLED, else undefined. It has its own Redis connection:
 * commands wait (in memory) while it connects and for one reconnect, then fail; every
 * caller also has a deadline. Unlike the producer connection it does not fail a command
 * that arrives during the first connect, when the session starts.
 */
export function buildGroupMode(deps: GroupModeDeps): GroupChannel | undefined {
  if (!deps.config.BAILEYS_ENABLED) return undefined;
  const redis = deps.base.redis('groups', 'producer', GROUP_REDIS_OPTIONS);
  return createGroupChannel({
    config: deps.config,
    redis,
    keyPrefix: deps.keyPrefix,
    sink: deps.sink,
    logger: deps.base.logger,
    metrics: deps.base.metrics,
    clock: deps.base.clock,
    socketFactory: deps.socketFactory,
  });
}

/** /health's check when group mode is off. */
export function disabledGroupHealth(): CheckResult {
  return { status: 'ok', message: GROUPS_DISABLED_MESSAGE };
}
