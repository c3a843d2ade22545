import type { Database } from '@helpline/runtime';
import { createBroadcastLifecycle } from './broadcast-lifecycle.js';
import { createBroadcastReads } from './broadcast-reads.js';
import type { RecipientState } from './broadcast-rows.js';
import { createRecipientUpdates } from './recipient-updates.js';

export { RECIPIENT_STATES, type RecipientState } from './broadcast-rows.js';

export type BroadcastState = 'scheduled' | 'running' | 'cancelled' | 'done';

export interface NewRecipient {
  phone: string;
  customerId?: string;
  name?: string;
}

export interface NewBroadcast {
  id: string;
  kind: 'template' | 'text';
  content: unknown;
  audience: unknown;
  source: 'api' | 'deployment';
  startAt: Date;
  recipients: readonly NewRecipient[];
}

export interface BroadcastRow {
  id: string;
  state: BroadcastState;
  kind: 'template' | 'text';
  content: unknown;
  audience: unknown;
  source: string;
  startAt: string;
  createdAt: string;
  cancelledAt: string | null;
  finishedAt: string | null;
  total: number;
}

export interface ClaimedRecipient {
  broadcastId: string;
  seq: number;
  phone: string;
  customerId: string | null;
  name: string | null;
}

export interface BroadcastReport {
  broadcast: BroadcastRow;
  counts: Record<RecipientState, number>;
  failures: { code: string; title: string | null; count: number }[];
}

export interface RecipientUpdate {
  broadcastId: string;
  seq: number;
  state: RecipientState;
  providerMessageId?: string;
  errorCode?: string;
  errorTitle?: string;
}

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

export interface BroadcastStoreHooks {
  /** How many recipients moved into a state (the outcome counter). */
  onChange?: (state: RecipientState, count: number) => void;
}

/**
 * The broadcasts and their recipients in PostgreSQL: reads (broadcast-reads.ts), a
 * broadcast's life (broadcast-lifecycle.ts), the recipients' states
 * (recipient-updates.ts).
 */
export function createBroadcastStore(db: Database, hooks: BroadcastStoreHooks = {}): BroadcastStore {
  return {
    ...createBroadcastReads(db),
    ...createBroadcastLifecycle(db, hooks),
    ...createRecipientUpdates(db, hooks),
  };
}
