import { randomUUID } from 'node:crypto';
import { conversationStreamKey } from '@helpline/contracts';
import { closeRedis, createRedisConnection } from '@helpline/runtime';
import type { AccountsContext } from '../context.js';
import { type BroadcastEventReader, createBroadcastEventReader } from './broadcast-events.js';

/** The consumer group the broadcast report reads the conversation events in (beside the desk's). */
export const BROADCAST_EVENTS_GROUP = 'accounts-broadcasts';

/**
 * Starts what runs broadcasts in this process: the dispatcher (hands recipients out at the
 * shared pace, settles jobs that ended without an event) and the reader of the gateway's
 * events. Returns their stop.
 */
export function startBroadcasts(
  context: AccountsContext,
  options: { redisUrl?: string; blockMs?: number } = {},
): { reader: BroadcastEventReader; stop(): Promise<void> } {
  // A connection of its own: XREADGROUP blocks it.
  const redis = createRedisConnection(options.redisUrl ?? context.redisUrl, 'worker');
  const reader = createBroadcastEventReader({
    redis,
    stream: conversationStreamKey(context.prefix),
    group: BROADCAST_EVENTS_GROUP,
    consumer: `accounts-${randomUUID()}`,
    store: context.broadcasts.store,
    logger: context.logger,
    lingerMs: context.config.BROADCAST_EVENTS_LINGER_MS,
    ...(options.blockMs ? { blockMs: options.blockMs } : {}),
  });
  reader.start();
  context.broadcasts.dispatcher.start();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await context.broadcasts.dispatcher.stop();
      await reader.stop();
      await closeRedis(redis).catch(() => undefined);
    })();
    return stopped;
  };
  context.addResource({ name: 'broadcasts', close: stop });
  return { reader, stop };
}
