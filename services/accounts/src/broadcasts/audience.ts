import type { CustomerRecord, WisphubDirectory } from '@helpline/directory';
import type { Database } from '@helpline/runtime';
import { z } from 'zod';
import { chatIdOf } from '../notices/chat-id.js';
import type { NewRecipient } from './broadcast-store.js';

/**
 * Who a broadcast goes to. Consent (Ley 1581) and opt-out are not read here: the gateway
 * checks both at send time for every notice, so a recipient without them is counted as
 * skipped in the report rather than guessed at now.
 */
export const Audience = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('active') }),
  z.object({ kind: z.literal('debt') }),
  z.object({ kind: z.literal('plan'), plan: z.string().trim().min(1).max(128) }),
  z.object({ kind: z.literal('router'), router: z.string().trim().min(1).max(128) }),
  z.object({
    kind: z.literal('numbers'),
    numbers: z
      .array(
        z
          .string()
          .trim()
          .regex(/^\+?[\d\s().-]{7,24}$/, 'expected a phone number such as +57 300 123 4567'),
      )
      .min(1)
      .max(100_000),
  }),
]);
export type Audience = z.infer<typeof Audience>;

/** One customer as an audience is chosen from. */
export interface AudienceMember {
  customerId: string;
  name?: string;
  phones: string[];
  active: boolean;
  hasDebt: boolean;
  planId?: string;
  planName?: string;
  router?: string;
}

/** Where the customer base is read from: the built-in store or WispHub. */
export interface AudienceSource {
  members(): Promise<AudienceMember[]>;
}

/** A phone as WhatsApp's `wa_id` (the notices' rule: national numbers get the country code). */
export const toWaId = chatIdOf;

const same = (a: string | undefined, b: string) => a !== undefined && a.trim().toLowerCase() === b.toLowerCase();

function matches(member: AudienceMember, audience: Exclude<Audience, { kind: 'numbers' }>): boolean {
  switch (audience.kind) {
    case 'all':
      return true;
    case 'active':
      return member.active;
    case 'debt':
      return member.hasDebt;
    case 'plan':
      return same(member.planId, audience.plan) || same(member.planName, audience.plan);
    case 'router':
      return same(member.router, audience.router);
  }
}

/**
 * The recipients of an audience: one message per customer (to their first phone that is a
 * mobile number) and never two to one number, whichever customers share it.
 */
export async function resolveAudience(
  audience: Audience,
  source: AudienceSource,
  countryCode: string,
): Promise<{ recipients: NewRecipient[]; unusable: number }> {
  const seen = new Set<string>();
  const recipients: NewRecipient[] = [];
  let unusable = 0;
  if (audience.kind === 'numbers') {
    for (const number of audience.numbers) {
      const waId = toWaId(number, countryCode);
      if (!waId) unusable += 1;
      else if (!seen.has(waId)) {
        seen.add(waId);
        recipients.push({ phone: waId });
      }
    }
    return { recipients, unusable };
  }
  const members = (await source.members()).filter((m) => matches(m, audience));
  members.sort((a, b) => a.customerId.localeCompare(b.customerId));
  for (const member of members) {
    const waId = member.phones.map((p) => toWaId(p, countryCode)).find((p) => p !== undefined);
    if (!waId) {
      unusable += 1;
      continue;
    }
    if (seen.has(waId)) continue;
    seen.add(waId);
    recipients.push({ phone: waId, customerId: member.customerId, ...(member.name ? { name: member.name } : {}) });
  }
  return { recipients, unusable };
}

/** The built-in store's customers, with whether they owe a pending invoice. */
export function localAudienceSource(db: Database): AudienceSource {
  return {
    async members() {
      const { rows } = await db.query<{
        customer_id: string;
        name: string | null;
        phones: string[];
        status: string;
        plan_id: string | null;
        plan_name: string | null;
        router: string | null;
        has_debt: boolean;
      }>(
        `SELECT c.customer_id, c.name, c.phones, c.status, c.plan_id, p.name AS plan_name, c.router,
                EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.customer_id AND i.state = 'pending') AS has_debt
         FROM customers c LEFT JOIN plans p ON p.plan_id = c.plan_id`,
        [],
        'audience_members',
      );
      return rows.map((r) => ({
        customerId: r.customer_id,
        phones: r.phones,
        active: r.status === 'active',
        hasDebt: r.has_debt,
        ...(r.name ? { name: r.name } : {}),
        ...(r.plan_id ? { planId: r.plan_id } : {}),
        ...(r.plan_name ? { planName: r.plan_name } : {}),
        ...(r.router ? { router: r.router } : {}),
      }));
    },
  };
}

const owes = (record: CustomerRecord) => record.account === 'arrears' || Number(record.balance ?? 0) > 0;

/** WispHub's client list: every page of it. */
export function wisphubAudienceSource(directory: Pick<WisphubDirectory, 'everyone'>): AudienceSource {
  return {
    async members() {
      return (await directory.everyone()).map((r) => ({
        customerId: r.customerId,
        phones: r.phones,
        active: r.account === 'active' || r.account === 'arrears',
        hasDebt: owes(r),
        ...(r.name ? { name: r.name } : {}),
        ...(r.planId ? { planId: r.planId } : {}),
        ...(r.plan ? { planName: r.plan } : {}),
        ...(r.router ? { router: r.router } : {}),
      }));
    },
  };
}
