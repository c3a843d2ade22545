import type { Database } from '@helpline/runtime';

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

/**
 * A recipient's state only moves forward: statuses arrive out of order (Meta may report
 * `read` before `delivered`, a `sent` webhook may come after the gateway's own record), so
 * a later fact never takes a recipient back. Final states (failed, skipped, cancelled) are
 * never left.
 */
const RANK_SQL = `CASE state WHEN 'pending' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2
  WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE 5 END`;
const RANK: Record<RecipientState, number> = {
  pending: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  skipped_opted_out: 5,
  skipped_no_consent: 5,
  skipped_window: 5,
  cancelled: 5,
};

interface RawBroadcast {
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

const toRow = (r: RawBroadcast): BroadcastRow => ({
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

const zeroCounts = (): Record<RecipientState, number> =>
  Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as Record<RecipientState, number>;

const toClaimed = (r: {
  broadcast_id: string;
  seq: number;
  phone: string;
  customer_id: string | null;
  name: string | null;
}): ClaimedRecipient => ({
  broadcastId: r.broadcast_id,
  seq: r.seq,
  phone: r.phone,
  customerId: r.customer_id,
  name: r.name,
});

/** `onChange`: how many recipients moved into a state (the outcome counter). */
export function createBroadcastStore(
  db: Database,
  hooks: { onChange?: (state: RecipientState, count: number) => void } = {},
): BroadcastStore {
  return {
    async create(b, now) {
      return db.transaction(async (client) => {
        const state: BroadcastState = b.startAt.getTime() > now.getTime() ? 'scheduled' : 'running';
        const { rows } = await client.query<RawBroadcast>(
          `INSERT INTO broadcasts (broadcast_id, state, kind, content, audience, source, start_at, created_at, total)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
          [
            b.id,
            state,
            b.kind,
            JSON.stringify(b.content),
            JSON.stringify(b.audience),
            b.source,
            b.startAt,
            now,
            b.recipients.length,
          ],
          'broadcast_create',
        );
        // One statement for every recipient: a 50,000-number broadcast is one round trip.
        await client.query(
          `INSERT INTO broadcast_recipients (broadcast_id, seq, phone, customer_id, name, updated_at)
           SELECT $1, s.seq, s.phone, s.customer_id, s.name, $5
           FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s(phone, customer_id, name, seq)`,
          [
            b.id,
            b.recipients.map((r) => r.phone),
            b.recipients.map((r) => r.customerId ?? null),
            b.recipients.map((r) => r.name ?? null),
            now,
          ],
          'broadcast_recipients_create',
        );
        return toRow(rows[0] as RawBroadcast);
      }, 'broadcast_create');
    },

    async get(id) {
      const { rows } = await db.query<RawBroadcast>(
        'SELECT * FROM broadcasts WHERE broadcast_id = $1',
        [id],
        'broadcast_get',
      );
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    async list(limit, offset) {
      const [{ rows }, count] = await Promise.all([
        db.query<RawBroadcast>(
          'SELECT * FROM broadcasts ORDER BY created_at DESC, broadcast_id DESC LIMIT $1 OFFSET $2',
          [limit, offset],
          'broadcast_list',
        ),
        db.query<{ n: string }>('SELECT count(*) AS n FROM broadcasts', [], 'broadcast_count'),
      ]);
      return { total: Number(count.rows[0]?.n ?? 0), items: rows.map(toRow) };
    },

    async report(id) {
      const row = await this.get(id);
      if (!row) return undefined;
      const [states, failures] = await Promise.all([
        db.query<{ state: RecipientState; n: string }>(
          'SELECT state, count(*) AS n FROM broadcast_recipients WHERE broadcast_id = $1 GROUP BY state',
          [id],
          'broadcast_report_states',
        ),
        db.query<{ code: string; title: string | null; n: string }>(
          `SELECT error_code AS code, max(error_title) AS title, count(*) AS n FROM broadcast_recipients
           WHERE broadcast_id = $1 AND state = 'failed' GROUP BY error_code ORDER BY count(*) DESC, error_code`,
          [id],
          'broadcast_report_failures',
        ),
      ]);
      const counts = zeroCounts();
      for (const s of states.rows) counts[s.state] = Number(s.n);
      return {
        broadcast: row,
        counts,
        failures: failures.rows.map((f) => ({ code: f.code ?? 'unknown', title: f.title, count: Number(f.n) })),
      };
    },

    async due(now) {
      const { rows } = await db
        .query<RawBroadcast>(
          `UPDATE broadcasts SET state = 'running' WHERE state = 'scheduled' AND start_at <= $1`,
          [now],
          'broadcast_start',
        )
        .then(() =>
          db.query<RawBroadcast>(
            `SELECT * FROM broadcasts WHERE state = 'running' ORDER BY start_at, broadcast_id`,
            [],
            'broadcast_due',
          ),
        );
      return rows.map(toRow);
    },

    async claim(id, limit, now) {
      const { rows } = await db.query<{
        broadcast_id: string;
        seq: number;
        phone: string;
        customer_id: string | null;
        name: string | null;
      }>(
        `UPDATE broadcast_recipients r SET state = 'queued', queued_at = $3, updated_at = $3
         FROM (SELECT broadcast_id, seq FROM broadcast_recipients
               WHERE broadcast_id = $1 AND state = 'pending'
                 AND EXISTS (SELECT 1 FROM broadcasts b WHERE b.broadcast_id = $1 AND b.state = 'running')
               ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED) picked
         WHERE r.broadcast_id = picked.broadcast_id AND r.seq = picked.seq AND r.state = 'pending'
         RETURNING r.broadcast_id, r.seq, r.phone, r.customer_id, r.name`,
        [id, limit, now],
        'broadcast_claim',
      );
      return rows.map(toClaimed).sort((a, b) => a.seq - b.seq);
    },

    async staleQueued(before, limit) {
      const { rows } = await db.query<{
        broadcast_id: string;
        seq: number;
        phone: string;
        customer_id: string | null;
        name: string | null;
      }>(
        `SELECT broadcast_id, seq, phone, customer_id, name FROM broadcast_recipients
         WHERE state = 'queued' AND queued_at < $1 ORDER BY queued_at LIMIT $2`,
        [before, limit],
        'broadcast_stale',
      );
      return rows.map(toClaimed);
    },

    async apply(updates) {
      if (updates.length === 0) return 0;
      const useful = updates.filter((u) => RANK[u.state] > 0);
      const { rows: moved } = await db.query<{ state: RecipientState }>(
        `UPDATE broadcast_recipients r SET
           state = u.state,
           provider_message_id = COALESCE(u.provider_message_id, r.provider_message_id),
           error_code = COALESCE(u.error_code, r.error_code),
           error_title = COALESCE(u.error_title, r.error_title),
           updated_at = now()
         FROM (SELECT DISTINCT ON (broadcast_id, seq) * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])
                 AS x(broadcast_id, seq, state, rank, provider_message_id, error_code, error_title)
               ORDER BY broadcast_id, seq, rank DESC) u
         WHERE r.broadcast_id = u.broadcast_id AND r.seq = u.seq
           AND (${RANK_SQL.replaceAll('state', 'r.state')}) < u.rank
         RETURNING r.state`,
        [
          useful.map((u) => u.broadcastId),
          useful.map((u) => u.seq),
          useful.map((u) => u.state),
          useful.map((u) => RANK[u.state]),
          useful.map((u) => u.providerMessageId ?? null),
          useful.map((u) => u.errorCode ?? null),
          useful.map((u) => u.errorTitle ?? null),
        ],
        'broadcast_apply',
      );
      // A provider message id learnt after the state moved on (the `sent` event after `read`).
      const ids = useful.filter((u) => u.providerMessageId);
      if (ids.length > 0) {
        await db.query(
          `UPDATE broadcast_recipients r SET provider_message_id = x.pid
           FROM unnest($1::text[], $2::int[], $3::text[]) AS x(broadcast_id, seq, pid)
           WHERE r.broadcast_id = x.broadcast_id AND r.seq = x.seq AND r.provider_message_id IS NULL`,
          [ids.map((u) => u.broadcastId), ids.map((u) => u.seq), ids.map((u) => u.providerMessageId)],
          'broadcast_apply_ids',
        );
      }
      if (hooks.onChange) {
        const byState = new Map<RecipientState, number>();
        for (const m of moved) byState.set(m.state, (byState.get(m.state) ?? 0) + 1);
        for (const [state, n] of byState) hooks.onChange(state, n);
      }
      return moved.length;
    },

    async byProviderMessageId(ids) {
      const found = new Map<string, { broadcastId: string; seq: number }>();
      if (ids.length === 0) return found;
      const { rows } = await db.query<{ provider_message_id: string; broadcast_id: string; seq: number }>(
        `SELECT provider_message_id, broadcast_id, seq FROM broadcast_recipients
         WHERE provider_message_id = ANY($1::text[])`,
        [ids],
        'broadcast_by_provider_id',
      );
      for (const r of rows) found.set(r.provider_message_id, { broadcastId: r.broadcast_id, seq: r.seq });
      return found;
    },

    async cancel(id, now) {
      return db.transaction(async (client) => {
        const { rows } = await client.query<RawBroadcast>(
          `UPDATE broadcasts SET state = 'cancelled', cancelled_at = $2
           WHERE broadcast_id = $1 AND state IN ('scheduled', 'running') RETURNING *`,
          [id, now],
          'broadcast_cancel',
        );
        if (!rows[0]) return { queued: [] };
        const stopped = await client.query(
          `UPDATE broadcast_recipients SET state = 'cancelled', updated_at = $2
           WHERE broadcast_id = $1 AND state = 'pending'`,
          [id, now],
          'broadcast_cancel_pending',
        );
        if (stopped.rowCount) hooks.onChange?.('cancelled', stopped.rowCount);
        const queued = await client.query<{
          broadcast_id: string;
          seq: number;
          phone: string;
          customer_id: string | null;
          name: string | null;
        }>(
          `SELECT broadcast_id, seq, phone, customer_id, name FROM broadcast_recipients
           WHERE broadcast_id = $1 AND state = 'queued'`,
          [id],
          'broadcast_cancel_queued',
        );
        return { row: toRow(rows[0]), queued: queued.rows.map(toClaimed) };
      }, 'broadcast_cancel');
    },

    async finish(now) {
      const { rows } = await db.query<{ broadcast_id: string }>(
        `UPDATE broadcasts b SET state = 'done', finished_at = $1
         WHERE state = 'running' AND NOT EXISTS (
           SELECT 1 FROM broadcast_recipients r WHERE r.broadcast_id = b.broadcast_id AND r.state = 'pending')
         RETURNING broadcast_id`,
        [now],
        'broadcast_finish',
      );
      return rows.map((r) => r.broadcast_id);
    },

    async activeCounts() {
      const { rows } = await db.query<{ state: RecipientState; n: string }>(
        `SELECT r.state, count(*) AS n FROM broadcast_recipients r
         JOIN broadcasts b USING (broadcast_id)
         WHERE b.state IN ('scheduled', 'running') OR b.finished_at > now() - interval '1 day'
            OR b.cancelled_at > now() - interval '1 day'
         GROUP BY r.state`,
        [],
        'broadcast_active_counts',
      );
      const counts = zeroCounts();
      for (const r of rows) counts[r.state] = Number(r.n);
      const running = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM broadcasts WHERE state IN ('scheduled', 'running')`,
        [],
        'broadcast_running',
      );
      return { counts, running: Number(running.rows[0]?.n ?? 0) };
    },
  };
}
