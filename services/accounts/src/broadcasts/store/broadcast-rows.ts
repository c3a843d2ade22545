/** What happened to one recipient; the order of `RECIPIENT_STATES` is not a ranking. */
export const RECIPIENT_STATES = [
  'pending',
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped_opted_out',
  'skipped_no_consent',
  'skipped_window',
  'cancelled',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

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

export interface RawBroadcast {
  broadcast_id: string;
  state: BroadcastState;
  kind: 'template' | 'text';
  content: unknown;
  audience: unknown;
  source: string;
  start_at: Date;
  created_at: Date;
  cancelled_at: Date | null;
  finished_at: Date | null;
  total: number;
}

export const toRow = (r: RawBroadcast): BroadcastRow => ({
  id: r.broadcast_id,
  state: r.state,
  kind: r.kind,
  content: r.content,
  audience: r.audience,
  source: r.source,
  startAt: r.start_at.toISOString(),
  createdAt: r.created_at.toISOString(),
  cancelledAt: r.cancelled_at?.toISOString() ?? null,
  finishedAt: r.finished_at?.toISOString() ?? null,
  total: r.total,
});

/** A recipient's row as the claims and the cancel read it. */
export interface RawRecipient {
  broadcast_id: string;
  seq: number;
  phone: string;
  customer_id: string | null;
  name: string | null;
}

export const zeroCounts = (): Record<RecipientState, number> =>
  Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as Record<RecipientState, number>;

export const toClaimed = (r: RawRecipient): ClaimedRecipient => ({
  broadcastId: r.broadcast_id,
  seq: r.seq,
  phone: r.phone,
  customerId: r.customer_id,
  name: r.name,
});
