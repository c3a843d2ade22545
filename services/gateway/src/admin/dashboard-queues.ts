import { ALL_QUEUES, type QueueName } from '@helpline/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * One BullMQ queue object per pipeline queue, for the operator dashboard: the producers'
 * prefix (or the board would show other, empty queues) on a connection the context closes
 * at shutdown. Separate from the producers because the gateway produces on three queues
 * only, and the board's actions (retry, clean, pause) should not share the producers'
 * default job options.
 */
export function createDashboardQueues(connection: Redis, prefix: string): Record<QueueName, Queue> {
  const queues = {} as Record<QueueName, Queue>;
  for (const name of ALL_QUEUES) {
    const queue = new Queue(name, { connection, prefix });
    // Errors reach the board's request that meets them; an unheard 'error' would crash the process.
    queue.on('error', () => {});
    queues[name] = queue;
  }
  return queues;
}
