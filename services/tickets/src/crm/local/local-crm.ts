import { repairTextDeep } from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';
import { z } from 'zod';
import type { CrmAdapter, CrmContact, CrmDepartment, CrmTicket } from '../crm-adapter.js';
import { CrmRefusedError } from '../crm-errors.js';

export interface LocalCrmOptions {
  redis: Redis;
  /** Prefix of its Redis keys (`<prefix>:local:*`). */
  keyPrefix: string;
  departments: CrmDepartment[];
  /** The first is a new ticket's status. */
  statuses: string[];
  clock?: () => Date;
}

export interface LocalCrm extends CrmAdapter {
  /** Staff move a local ticket through the configured statuses. */
  updateStatus(id: string, status: string): Promise<CrmTicket | undefined>;
}

const StoredTicket = z.object({
  id: z.string(),
  number: z.string(),
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
const StoredContact = z.object({
  id: z.string(),
  name: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
});

// KEYS[1] key -> ticket id hash, KEYS[2] ticket sequence, KEYS[3] id -> ticket JSON hash.
// ARGV[1] idempotency key, ARGV[2] ticket JSON without id and number.
// Returns the stored ticket JSON: the existing one for a known key, else a new one numbered
// by INCR. One script, so two creates with one key can never both number a ticket. The JSON
// is decoded before INCR: a create the decoder refuses must not use up a number.
const CREATE_TICKET = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return redis.call('HGET', KEYS[3], existing) end
local ticket = cjson.decode(ARGV[2])
local n = tostring(redis.call('INCR', KEYS[2]))
ticket['id'] = n
ticket['number'] = n
local json = cjson.encode(ticket)
redis.call('HSET', KEYS[3], n, json)
redis.call('HSET', KEYS[1], ARGV[1], n)
return json`;

// KEYS[1] phone -> contact id hash, KEYS[2] contact sequence, KEYS[3] id -> contact JSON hash.
// ARGV[1] phone ('' when none), ARGV[2] contact JSON without id. A phone has one contact.
const CREATE_CONTACT = `
if ARGV[1] ~= '' then
  local existing = redis.call('HGET', KEYS[1], ARGV[1])
  if existing then return redis.call('HGET', KEYS[3], existing) end
end
local contact = cjson.decode(ARGV[2])
local n = 'C' .. tostring(redis.call('INCR', KEYS[2]))
contact['id'] = n
local json = cjson.encode(contact)
redis.call('HSET', KEYS[3], n, json)
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], n) end
return json`;

const toTicket = (t: z.infer<typeof StoredTicket>): CrmTicket => ({
  id: t.id,
  number: t.number,
  status: t.status,
  departmentId: t.departmentId,
});

/**
 * The built-in ticket store: tickets in Redis with sequential numbers, departments and
 * statuses from configuration. It makes the whole system work with no CRM account, and it
 * is idempotent on its own (a key maps to one ticket inside one Lua script).
 */
export function createLocalCrm(options: LocalCrmOptions): LocalCrm {
  const { redis } = options;
  const clock = options.clock ?? (() => new Date());
  const keys = {
    byKey: `${options.keyPrefix}:local:ticket-by-key`,
    ticketSeq: `${options.keyPrefix}:local:ticket-seq`,
    tickets: `${options.keyPrefix}:local:tickets`,
    byPhone: `${options.keyPrefix}:local:contact-by-phone`,
    contactSeq: `${options.keyPrefix}:local:contact-seq`,
    contacts: `${options.keyPrefix}:local:contacts`,
  };
  const initialStatus = options.statuses[0] ?? 'Open';

  const readTicket = async (id: string) => {
    const json = await redis.hget(keys.tickets, id);
    return json ? StoredTicket.parse(JSON.parse(json)) : undefined;
  };

  return {
    provider: 'local',

    async findContactByPhone(phone) {
      const id = await redis.hget(keys.byPhone, phone);
      if (!id) return undefined;
      const json = await redis.hget(keys.contacts, id);
      return json ? (StoredContact.parse(JSON.parse(json)) as CrmContact) : undefined;
    },

    async createContact(contact) {
      if (!contact.phone && !contact.email && !contact.name)
        throw new CrmRefusedError('a contact needs a phone, an email or a name');
      const json = await redis.eval(
        CREATE_CONTACT,
        3,
        keys.byPhone,
        keys.contactSeq,
        keys.contacts,
        contact.phone ?? '',
        // Lua's cjson refuses a lone surrogate's escape: text is stored repaired.
        JSON.stringify(repairTextDeep({ name: contact.name, phone: contact.phone, email: contact.email })),
      );
      return StoredContact.parse(JSON.parse(String(json))) as CrmContact;
    },

    async createTicket(ticket) {
      const departmentId = ticket.departmentId ?? options.departments[0]?.id;
      if (departmentId && !options.departments.some((d) => d.id === departmentId)) {
        throw new CrmRefusedError(
          `unknown department ${departmentId}: expected one of ${options.departments.map((d) => d.id).join(', ')}`,
        );
      }
      if (!(await redis.hexists(keys.contacts, ticket.contactId))) {
        throw new CrmRefusedError(`unknown contact ${ticket.contactId}`);
      }
      const fields = {
        status: initialStatus,
        departmentId,
        idempotencyKey: ticket.idempotencyKey,
        subject: ticket.subject,
        description: ticket.description,
        priority: ticket.priority,
        category: ticket.category,
        channel: ticket.channel,
        contactId: ticket.contactId,
        createdAt: clock().toISOString(),
      };
      const json = await redis.eval(
        CREATE_TICKET,
        3,
        keys.byKey,
        keys.ticketSeq,
        keys.tickets,
        ticket.idempotencyKey,
        JSON.stringify(repairTextDeep(fields)),
      );
      return toTicket(StoredTicket.parse(JSON.parse(String(json))));
    },

    async getTicket(id) {
      const stored = await readTicket(id);
      return stored ? toTicket(stored) : undefined;
    },

    async listDepartments() {
      return options.departments;
    },

    async findTicketByIdempotencyKey(key) {
      const id = await redis.hget(keys.byKey, key);
      const stored = id ? await readTicket(id) : undefined;
      return stored ? toTicket(stored) : undefined;
    },

    async updateStatus(id, status) {
      if (!options.statuses.includes(status)) {
        throw new CrmRefusedError(`unknown status ${status}: expected one of ${options.statuses.join(', ')}`);
      }
      const stored = await readTicket(id);
      if (!stored) return undefined;
      const updated = { ...stored, status };
      await redis.hset(keys.tickets, id, JSON.stringify(updated));
      return toTicket(updated);
    },
  };
}

/** LOCAL_TICKET_DEPARTMENTS entries: `id:Name`, or `Name` (its id is the name in kebab case). */
export function parseLocalDepartments(entries: readonly string[]): CrmDepartment[] {
  return entries.map((entry) => {
    const at = entry.indexOf(':');
    const name = (at > 0 ? entry.slice(at + 1) : entry).trim();
    const id =
      at > 0
        ? entry.slice(0, at).trim()
        : name
            .toLowerCase()
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, '')
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-|-$/g, '');
    return { id, name, enabled: true };
  });
}
