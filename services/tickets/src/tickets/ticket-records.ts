import type { Redis } from '@helpline/runtime';
import { z } from 'zod';
import type { CrmTicket } from '../crm/crm-adapter.js';
import { type KeepOptions, type KeptLease, keepLease, tryAcquireLease } from '@helpline/runtime';

/** What an attempted mark remembers: the contact the create was sent for. */
export interface AttemptMark {
  contactId?: string;
}

const AttemptMarkJson = z.object({ contactId: z.string().optional() });

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
 * - an "attempted" mark, set just before a create is sent, holding the contact it was sent
 *   for: a later attempt that finds it looks the key up in the CRM first (by search, and
 *   among that contact's tickets), because the earlier send may have created the ticket
 *   although its answer never arrived (or its worker died); it reuses that contact, since a
 *   contact just created may not be found by phone yet;
 * - a lock, so that two attempts for one key (the worker and POST /tickets) never create
 *   at the same time; its TTL is renewed while the attempt runs.
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
    async markAttempted(key: string, mark: AttemptMark): Promise<void> {
      await redis.set(k('attempted', key), JSON.stringify(mark), 'PX', ttl);
    },
    /** The mark of an earlier attempt that sent a create, or undefined when none did. */
    async attempted(key: string): Promise<AttemptMark | undefined> {
      const value = await redis.get(k('attempted', key));
      if (value === null) return undefined;
      // Marks written before they held the contact were a bare '1': still a mark, no contact.
      try {
        const parsed = AttemptMarkJson.safeParse(JSON.parse(value));
        return parsed.success ? parsed.data : {};
      } catch {
        return {};
      }
    },
    /**
     * The key's lock: a lease renewed while its attempt runs (runtime keepLease), so the TTL
     * only bounds how long a crashed attempt blocks the key. Undefined while another holds it.
     */
    async lock(key: string, ttlMs: number, options: Omit<KeepOptions, 'ttlMs'> = {}): Promise<KeptLease | undefined> {
      const lease = await tryAcquireLease(redis, k('lock', key), ttlMs);
      return lease ? keepLease(lease, { ttlMs, ...options }) : undefined;
    },
  };
}
export type TicketRecords = ReturnType<typeof createTicketRecords>;
