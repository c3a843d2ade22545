import { randomUUID } from 'node:crypto';

/**
 * A queue name no other test uses, so tests sharing one Redis never see each other's jobs.
 * BullMQ refuses ':' in queue names (it is the key separator), hence the check.
 */
export function uniqueQueueName(prefix: string): string {
  if (prefix.includes(':')) throw new Error(`queue name prefix must not contain ':': ${prefix}`);
  return `${prefix}-${randomUUID()}`;
}
