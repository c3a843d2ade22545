import type { Redis } from '@helpline/runtime';
import { legacyKeys } from '../../src/crm/local/import-redis-store.js';

/** Writes what the Redis store (before PostgreSQL) kept, in its own layout. */
export async function seedLegacyRedis(commands: Redis, keyPrefix: string): Promise<void> {
  const keys = legacyKeys(keyPrefix);
  const contacts = [
    { id: 'C1', name: 'Ana María Pérez', phone: '573001112233' },
    { id: 'C2', name: 'Sede Norte', phone: '+57 300 555 0000', email: 'norte@example.com' },
    { id: 'C3', email: 'solo@example.com' },
  ];
  const ticket = (id: number, key: string, contactId: string, extra: Record<string, string> = {}) => ({
    status: 'Open',
    departmentId: 'support',
    idempotencyKey: key,
    subject: `Ticket ${id} \uD83D`,
    description: 'El router no enciende',
    priority: 'high',
    category: 'connectivity',
    channel: 'cloud',
    contactId,
    createdAt: new Date(Date.UTC(2026, 0, id)).toISOString(),
    ...extra,
    id: String(id),
    number: String(id),
  });
  const tickets = [
    ticket(1, 'key-a', 'C1'),
    ticket(2, 'key-b', 'C2', { status: 'Closed' }),
    ticket(3, 'key-c', 'C1', { departmentId: 'retired' }),
    ticket(5, 'key-e', 'C3'), // 4 was never stored (a number the Redis store skipped)
  ];
  await commands.hset(keys.contacts, Object.fromEntries(contacts.map((c) => [c.id, JSON.stringify(c)])));
  await commands.hset(
    `${keyPrefix}:local:contact-by-phone`,
    Object.fromEntries(contacts.filter((c) => c.phone).map((c) => [c.phone, c.id])),
  );
  await commands.set(keys.contactSeq, '3');
  await commands.hset(keys.tickets, Object.fromEntries(tickets.map((t) => [t.id, JSON.stringify(t)])));
  await commands.hset(
    `${keyPrefix}:local:ticket-by-key`,
    Object.fromEntries(tickets.map((t) => [t.idempotencyKey, t.id])),
  );
  await commands.set(keys.ticketSeq, '5');
}
