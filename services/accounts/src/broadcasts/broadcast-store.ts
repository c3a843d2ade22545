import type { Database } from '@helpline/runtime';
import type {
  BroadcastReport,
  BroadcastRow,
  ClaimedRecipient,
  NewBroadcast,
  RecipientState,
  RecipientUpdate,
} from './store/broadcast-rows.js';
import { createBroadcastLifecycle } from './store/broadcast-lifecycle.js';
import { createBroadcastReads } from './store/broadcast-reads.js';
import { createBroadcast } from './store/create-broadcast.js';
import { createRecipientClaims } from './store/recipient-claims.js';
import { createRecipientFacts } from './store/recipient-facts.js';

export {
  type BroadcastReport,
  type BroadcastRow,
  type BroadcastState,
  type ClaimedRecipient,
  type NewBroadcast,
  type NewRecipient,
  RECIPIENT_STATES,
  type RecipientState,
  type RecipientUpdate,
} from './store/broadcast-rows.js';

export interface BroadcastStore {
  create(broadcast: NewBroadcast, now: Date): Promise<BroadcastRow>;
  get(id: string): Promise<BroadcastRow | undefined>;
  list(limit: number, offset: number): Promise<{ total: number; items: BroadcastRow[] }>;
  report(id: string): Promise<BroadcastReport | undefined>;
  /** Broadcasts whose start time has come and that still have recipients to hand out. */
  due(now: Date): Promise<BroadcastRow[]>;
  /**
   * Takes up to `limit` pending recipients of a running broadcast, in order, and marks them
   * queued in the same transaction (`FOR UPDATE SKIP LOCKED`: two replicas never take the
   * same one). The caller enqueues them: job ids are deterministic, so a crash between the
   * COMMIT and the enqueue is repaired by `requeueStale`.
   */
  claim(id: string, limit: number, now: Date): Promise<ClaimedRecipient[]>;
  /** Recipients queued before `before` and not heard of since: their jobs are checked. */
  staleQueued(before: Date, limit: number): Promise<ClaimedRecipient[]>;
  /** Applies facts about recipients; a fact never moves a recipient backwards. Returns rows changed. */
  apply(updates: readonly RecipientUpdate[]): Promise<number>;
  /** The recipient a provider message id belongs to. */
  byProviderMessageId(ids: readonly string[]): Promise<Map<string, { broadcastId: string; seq: number }>>;
  /**
   * Marks the broadcast cancelled and every pending recipient cancelled. Returns the
   * recipients already handed to the gateway, whose jobs the caller tries to withdraw.
   */
  cancel(id: string, now: Date): Promise<{ row?: BroadcastRow; queued: ClaimedRecipient[] }>;
  /** Running broadcasts with nothing left to hand out become `done`. */
  finish(now: Date): Promise<string[]>;
  /** Recipients by state over broadcasts running, scheduled or ended within a day, and how many run (the metrics). */
  activeCounts(): Promise<{ counts: Record<RecipientState, number>; running: number }>;
}

/**
 * Broadcasts and their recipients in PostgreSQL, assembled from its parts (`store/`):
 * creation, reads, the broadcast's own state, claims for hand-out, facts about recipients.
 * `onChange`: how many recipients moved into a state (the outcome counter).
 */
export function createBroadcastStore(
  db: Database,
  hooks: { onChange?: (state: RecipientState, count: number) => void } = {},
): BroadcastStore {
  return {
    create: (b, now) => createBroadcast(db, b, now),
    ...createBroadcastReads(db),
    ...createBroadcastLifecycle(db, hooks.onChange),
    ...createRecipientClaims(db),
    ...createRecipientFacts(db, hooks.onChange),
  };
}
