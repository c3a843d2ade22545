import type { Redis } from '@helpline/runtime';
import { z } from 'zod';
import type { CrmTicket } from '../crm/crm-adapter.js';
import { type HeldLock, tryLock } from '../redis/redis-lock.js';

const Recorded = z.object({
  id: z.string(),
  number: z.string(),
  status: z.string(),
  departmentId: z.string().optional(),
  url: z.string().optional(),
});

export interface TicketRecordsOptions {
  redis: Redis;
  keyPrefix: string;
  /** How long a key's ticket is remembered (far longer than any job lives). */
  recordTtlMs?: number;
}

/**
 * What this service remembers per idempotency key, in Redis:
 * - the ticket, once created (looked up before any create);
 * - an "attempted" mark, set just before a create is sent: a later attempt that finds it
 *   searches the CRM by the key first, because the earlier send may have created the
 *   ticket although its answer never arrived (or its worker died);
 * - a lock, so that two attempts for one key (the worker and POST /tickets) never create
 *   at the same time.
 */
export function createTicketRecords(options: TicketRecordsOptions) {
  const { redis } = options;
  const ttl = options.recordTtlMs ?? 30 * 24 * 3600_000;
  const k = (kind: string, key: string) => `${options.keyPrefix}:ticket:${kind}:${key}`;

  return {
    async get(key: string): Promise<CrmTicket | undefined> {
      const json = await redis.get(k('record', key));
      return json ? Recorded.parse(JSON.parse(json)) : undefined;
    },
    async save(key: string, ticket: CrmTicket): Promise<void> {
      await redis.set(k('record', key), JSON.stringify(ticket), 'PX', ttl);
      await redis.del(k('attempted', key));
    },
    async markAttempted(key: string): Promise<void> {
      await redis.set(k('attempted', key), '1', 'PX', ttl);
    },
    async wasAttempted(key: string): Promise<boolean> {
      return (await redis.exists(k('attempted', key))) === 1;
    },
    lock(key: string, ttlMs: number): Promise<HeldLock | undefined> {
      return tryLock(redis, k('lock', key), ttlMs);
    },
  };
}
export type TicketRecords = ReturnType<typeof createTicketRecords>;
