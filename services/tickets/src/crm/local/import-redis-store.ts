import type { Database, Logger, Redis } from '@helpline/runtime';
import { z } from 'zod';
import { storableOptional, storableText } from './storable-text.js';

/**
 * The Redis keys of the local store before it moved to PostgreSQL (`<keyPrefix>:local:*`):
 * `tickets` and `contacts` are hashes of id -> JSON; `ticket-seq` and `contact-seq` are the
 * INCR counters; `ticket-by-key` and `contact-by-phone` are indexes rebuilt here by unique
 * columns instead.
 */
export function legacyKeys(keyPrefix: string) {
  return {
    tickets: `${keyPrefix}:local:tickets`,
    ticketSeq: `${keyPrefix}:local:ticket-seq`,
    contacts: `${keyPrefix}:local:contacts`,
    contactSeq: `${keyPrefix}:local:contact-seq`,
  };
}

// The JSON the Redis store wrote. Text is made storable rather than refused: the import must
// not stop on a ticket whose subject holds a broken emoji.
const LegacyTicket = z.object({
  id: z.string().regex(/^[1-9]\d{0,17}$/),
  status: z.string(),
  departmentId: z.string().optional(),
  idempotencyKey: z.string(),
  subject: z.string(),
  description: z.string(),
  priority: z.string(),
  category: z.string(),
  channel: z.string(),
  contactId: z.string(),
  createdAt: z.string(),
});
const LegacyContact = z.object({
  id: z.string(),
  name: z.string().nullish(),
  phone: z.string().nullish(),
  email: z.string().nullish(),
});

export interface RedisImportResult {
  /** False when an earlier start (this replica or another) had already imported. */
  imported: boolean;
  tickets: number;
  contacts: number;
}

const LOCK = 'helpline.tickets.redis_import';

/**
 * Moves the tickets and contacts the Redis store held into PostgreSQL, once: one
 * transaction, under an advisory lock, recorded in `redis_import`. Ids and numbers are kept,
 * and the counters continue after the highest of them, so nothing is lost or numbered twice.
 * The Redis keys are left as they were (a record of what was moved; delete them at will).
 */
export async function importRedisStore(
  database: Database,
  redis: Redis,
  keyPrefix: string,
  logger: Logger,
): Promise<RedisImportResult> {
  const keys = legacyKeys(keyPrefix);
  return database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK]);
    const done = await tx.query<{ tickets: number; contacts: number }>('SELECT tickets, contacts FROM redis_import');
    if (done.rows[0]) return { imported: false, ...done.rows[0] };

    // Read inside the lock: a replica that imported first is seen above, not imported twice.
    const [tickets, contacts, ticketSeq, contactSeq] = await Promise.all([
      redis.hgetall(keys.tickets),
      redis.hgetall(keys.contacts),
      redis.get(keys.ticketSeq),
      redis.get(keys.contactSeq),
    ]);

    let highestContact = Number(contactSeq ?? 0);
    for (const json of Object.values(contacts)) {
      const c = LegacyContact.parse(JSON.parse(json));
      highestContact = Math.max(highestContact, Number(/^C(\d+)$/.exec(c.id)?.[1] ?? 0));
      await tx.query(
        'INSERT INTO contacts (id, name, phone, email) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
        [
          storableText(c.id),
          storableOptional(c.name ?? undefined),
          storableOptional(c.phone ?? undefined),
          storableOptional(c.email ?? undefined),
        ],
      );
    }

    let highestTicket = Number(ticketSeq ?? 0);
    for (const json of Object.values(tickets)) {
      const t = LegacyTicket.parse(JSON.parse(json));
      highestTicket = Math.max(highestTicket, Number(t.id));
      if (t.departmentId) {
        // A department dropped from the configuration since: kept, disabled, for its tickets.
        await tx.query(
          'INSERT INTO departments (id, name, enabled) VALUES ($1, $1, false) ON CONFLICT (id) DO NOTHING',
          [storableText(t.departmentId)],
        );
      }
      await tx.query(
        `INSERT INTO tickets (id, idempotency_key, status, department_id, contact_id, subject, description,
                              priority, category, channel, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
         ON CONFLICT DO NOTHING`,
        [
          t.id,
          storableText(t.idempotencyKey),
          storableText(t.status),
          t.departmentId ? storableText(t.departmentId) : null,
          storableText(t.contactId),
          storableText(t.subject),
          storableText(t.description),
          t.priority,
          t.category,
          t.channel,
          t.createdAt,
        ],
      );
    }

    await tx.query('UPDATE counters SET value = GREATEST(value, $2) WHERE name = $1', ['ticket', highestTicket]);
    await tx.query('UPDATE counters SET value = GREATEST(value, $2) WHERE name = $1', ['contact', highestContact]);
    const counts = { tickets: Object.keys(tickets).length, contacts: Object.keys(contacts).length };
    await tx.query('INSERT INTO redis_import (tickets, contacts) VALUES ($1, $2)', [counts.tickets, counts.contacts]);
    if (counts.tickets + counts.contacts > 0) {
      logger.info(counts, 'local tickets moved from Redis to PostgreSQL');
    }
    return { imported: true, ...counts };
  }, 'tickets.redis_import');
}
