import type { Database, Logger } from '@helpline/runtime';
import { type ArchiveErasure, eraseChatArchive } from '../archive/erase-chat-archive.js';
import type { GatewayClient } from '../gateway/gateway-client.js';
import type { CallResult, ServiceCaller } from './service-caller.js';

/** How one store answered a data-removal request. */
export type StepOutcome =
  | { status: 'erased'; erased: Record<string, unknown> }
  /** The store held nothing of the chat (the gateway knows no such chat). */
  | { status: 'nothing' }
  /** Not this store's to erase, said why (a group chat has no phone; Zoho Desk keeps its own contacts). */
  | { status: 'skipped'; reason: string }
  /** Not erased (or not all of it): repeat the request. */
  | { status: 'failed'; reason: string };

export const ERASURE_STORES = ['gateway', 'tickets', 'network', 'accounts', 'archive'] as const;
export type ErasureStore = (typeof ERASURE_STORES)[number];

export interface ErasureOutcome {
  chatId: string;
  /** Every store erased, held nothing or is not concerned; false: repeat the request. */
  complete: boolean;
  /** This request's attempt number for the chat (repeats of an incomplete one count up). */
  attempt: number;
  stores: Record<ErasureStore, StepOutcome>;
  /** Customer ids the erasure looked for in tickets, network and accounts. */
  customerIds: string[];
  consentRecordsKept: number;
}

export interface EraseEverywhereDeps {
  db: Database;
  gateway: Pick<GatewayClient, 'act'>;
  tickets: ServiceCaller;
  network: ServiceCaller;
  accounts: ServiceCaller;
  clock: () => Date;
  logger: Logger;
}

/** A chat id that is a phone number (Cloud API, Twilio): the other services key what they keep by it. */
const PHONE_CHAT = /^\d{7,15}$/;

const errorMessage = (body: Record<string, unknown> | undefined): string =>
  typeof body?.message === 'string' ? body.message.slice(0, 300) : 'no explanation';

/** A service's DELETE answer as a step: 200 erased, the rest failed with what it said. */
function fromCall(
  result: CallResult,
  special?: (status: number, body?: Record<string, unknown>) => StepOutcome | undefined,
): StepOutcome {
  if (!result.reached) return { status: 'failed', reason: result.reason };
  const chosen = special?.(result.status, result.body);
  if (chosen) return chosen;
  if (result.status === 200) {
    const erased = result.body?.erased;
    return {
      status: 'erased',
      erased: erased && typeof erased === 'object' ? (erased as Record<string, unknown>) : {},
    };
  }
  return { status: 'failed', reason: `answered ${result.status}: ${errorMessage(result.body)}` };
}

const idsOf = (result: CallResult): string[] =>
  result.reached && Array.isArray(result.body?.customerIds)
    ? (result.body.customerIds as unknown[]).filter((id): id is string => typeof id === 'string')
    : [];

async function archivedCustomerIds(db: Database, chatId: string): Promise<string[]> {
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT customer_id FROM chats WHERE chat_id = $1 AND customer_id IS NOT NULL
     UNION
     SELECT m.customer_id FROM messages m JOIN chats c ON c.id = m.chat_ref
      WHERE c.chat_id = $1 AND m.customer_id IS NOT NULL
     LIMIT 50`,
    [chatId],
    'erase_customer_ids',
  );
  return rows.map((r) => r.customer_id);
}

/**
 * A data-removal request for one chat, carried to every store that keeps the person: the
 * gateway first (it stops new facts and announces the erasure on the stream), then tickets,
 * network and accounts at once, then the archive. A store that fails does not stop the
 * others; the outcome names each, is recorded in `erasure_requests` (incomplete until a
 * repeat reaches every store), and every step is safe to repeat. The customer ids found in
 * the archive are kept with an incomplete request, so a repeat after the archive is erased
 * still finds them in the other services.
 */
export async function eraseEverywhere(deps: EraseEverywhereDeps, chatId: string): Promise<ErasureOutcome> {
  const { db } = deps;
  const earlier = await db.query<{ outcome: { customerIds?: string[] }; attempts: number }>(
    'SELECT outcome, attempts FROM erasure_requests WHERE chat_id = $1',
    [chatId],
    'erasure_previous',
  );
  const ids = new Set<string>(await archivedCustomerIds(db, chatId));
  for (const id of earlier.rows[0]?.outcome.customerIds ?? []) ids.add(id);

  const stores = {} as Record<ErasureStore, StepOutcome>;
  try {
    const answer = await deps.gateway.act('erase', chatId);
    stores.gateway = answer ? { status: 'erased', erased: answer } : { status: 'nothing' };
  } catch (error) {
    stores.gateway = { status: 'failed', reason: (error as Error).message };
  }

  if (PHONE_CHAT.test(chatId)) {
    const query = ids.size > 0 ? `?customer_ids=${encodeURIComponent([...ids].join(','))}` : '';
    const [tickets, network, accounts] = await Promise.all([
      deps.tickets.delete(`/contacts/${chatId}`),
      deps.network.delete(`/personal-data/${chatId}${query}`),
      deps.accounts.delete(`/api/personal-data/${chatId}${query}`),
    ]);
    stores.tickets = fromCall(tickets, (status, body) =>
      status === 409 && body?.error === 'managed_in_crm'
        ? { status: 'skipped', reason: 'tickets are kept in Zoho Desk: erase the contact there (Contacts > Delete)' }
        : undefined,
    );
    stores.network = fromCall(network);
    stores.accounts = fromCall(accounts);
    for (const id of [...idsOf(network), ...idsOf(accounts)]) ids.add(id);
  } else {
    const reason = 'not a phone number (a group chat): only the gateway and the archive keep it';
    stores.tickets = { status: 'skipped', reason };
    stores.network = { status: 'skipped', reason };
    stores.accounts = { status: 'skipped', reason };
  }

  let archive: ArchiveErasure | undefined;
  try {
    archive = await db.transaction((client) => eraseChatArchive(client, chatId), 'erase_chat');
    stores.archive = { status: 'erased', erased: { ...archive } };
  } catch (error) {
    stores.archive = { status: 'failed', reason: `the archive could not be erased (${(error as Error).message})` };
  }

  const complete = ERASURE_STORES.every((store) => stores[store].status !== 'failed');
  const customerIds = [...ids];
  const now = deps.clock();
  // Customer ids are kept only while the request is incomplete: a repeat needs them.
  const recorded = { stores, ...(complete ? {} : { customerIds }) };
  const saved = await db.query<{ attempts: number }>(
    `INSERT INTO erasure_requests (chat_id, first_requested_at, last_attempt_at, attempts, completed_at, outcome)
     VALUES ($1, $2, $2, 1, $3, $4)
     ON CONFLICT (chat_id) DO UPDATE SET
       last_attempt_at = EXCLUDED.last_attempt_at,
       attempts = erasure_requests.attempts + 1,
       completed_at = EXCLUDED.completed_at,
       outcome = EXCLUDED.outcome
     RETURNING attempts`,
    [chatId, now, complete ? now : null, JSON.stringify(recorded)],
    'erasure_record',
  );
  const kept = await db.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM consent_records WHERE chat_id = $1',
    [chatId],
    'erase_consents_kept',
  );
  const outcome: ErasureOutcome = {
    chatId,
    complete,
    attempt: saved.rows[0]?.attempts ?? 1,
    stores,
    customerIds,
    consentRecordsKept: Number(kept.rows[0]?.n ?? 0),
  };
  deps.logger.info(
    {
      complete,
      attempt: outcome.attempt,
      stores: Object.fromEntries(ERASURE_STORES.map((s) => [s, stores[s].status])),
    },
    complete ? 'chat erased everywhere' : 'chat erasure incomplete: repeat it',
  );
  return outcome;
}
