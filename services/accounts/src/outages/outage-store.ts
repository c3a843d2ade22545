import type { Database } from '@helpline/runtime';

export type OutageCause = 'router_down' | 'failing_diagnoses' | 'manual';

export interface OutageRow {
  id: string;
  router: string;
  state: 'open' | 'resolved';
  source: 'detected' | 'manual';
  cause: OutageCause;
  reason: string | null;
  /** The network service's probes may end it (detected ones; manual ones when staff said so). */
  endsByItself: boolean;
  openedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** Customers told of it, and told it ended. */
  notified: number;
  notifiedResolved: number;
}

interface Raw {
  outage_id: string;
  router: string;
  state: 'open' | 'resolved';
  source: 'detected' | 'manual';
  cause: OutageCause;
  reason: string | null;
  ends_by_itself: boolean;
  opened_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  notified: string;
  notified_resolved: string;
}

const SELECT = `SELECT o.*,
  (SELECT count(*) FROM outage_notices n WHERE n.outage_id = o.outage_id AND n.kind = 'outage') AS notified,
  (SELECT count(*) FROM outage_notices n WHERE n.outage_id = o.outage_id AND n.kind = 'outage_resolved') AS notified_resolved
  FROM outages o`;

const toRow = (r: Raw): OutageRow => ({
  id: r.outage_id,
  router: r.router,
  state: r.state,
  source: r.source,
  cause: r.cause,
  reason: r.reason,
  endsByItself: r.ends_by_itself,
  openedAt: r.opened_at.toISOString(),
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  resolvedBy: r.resolved_by,
  notified: Number(r.notified),
  notifiedResolved: Number(r.notified_resolved),
});

export interface OutageStore {
  /** Opens an outage on the router, or returns the one already open there (`created` false). */
  open(input: {
    id: string;
    router: string;
    source: OutageRow['source'];
    cause: OutageCause;
    reason?: string;
    endsByItself: boolean;
    now: Date;
  }): Promise<{ outage: OutageRow; created: boolean }>;
  /** Ends it; `changed` false when it had already ended. */
  resolve(id: string, by: string, now: Date): Promise<{ outage?: OutageRow; changed: boolean }>;
  get(id: string): Promise<OutageRow | undefined>;
  list(
    state: 'open' | 'resolved' | undefined,
    limit: number,
    offset: number,
  ): Promise<{ total: number; items: OutageRow[] }>;
  openOnes(): Promise<OutageRow[]>;
  /** Records that these phones are told `kind`; returns only the ones not told before (told once). */
  claimNotices(
    outageId: string,
    kind: 'outage' | 'outage_resolved',
    recipients: readonly { phone: string; customerId?: string }[],
  ): Promise<{ phone: string; customerId?: string }[]>;
  /** Phones told of the outage. */
  notified(outageId: string): Promise<{ phone: string; customerId?: string }[]>;
}

export function createOutageStore(db: Database): OutageStore {
  const get = async (id: string) => {
    const { rows } = await db.query<Raw>(`${SELECT} WHERE o.outage_id = $1`, [id], 'outage_get');
    return rows[0] ? toRow(rows[0]) : undefined;
  };
  return {
    get,
    async open(input) {
      const { rows } = await db.query<{ outage_id: string }>(
        `INSERT INTO outages (outage_id, router, source, cause, reason, ends_by_itself, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (lower(router)) WHERE state = 'open' DO NOTHING RETURNING outage_id`,
        [input.id, input.router, input.source, input.cause, input.reason ?? null, input.endsByItself, input.now],
        'outage_open',
      );
      if (rows[0]) return { outage: (await get(rows[0].outage_id)) as OutageRow, created: true };
      const open = await db.query<Raw>(
        `${SELECT} WHERE lower(o.router) = lower($1) AND o.state = 'open'`,
        [input.router],
        'outage_open_existing',
      );
      // Resolved between the two statements: open again.
      if (!open.rows[0]) return this.open(input);
      return { outage: toRow(open.rows[0]), created: false };
    },
    async resolve(id, by, now) {
      const { rowCount } = await db.query(
        `UPDATE outages SET state = 'resolved', resolved_at = $2, resolved_by = $3
         WHERE outage_id = $1 AND state = 'open'`,
        [id, now, by],
        'outage_resolve',
      );
      const outage = await get(id);
      return { ...(outage ? { outage } : {}), changed: (rowCount ?? 0) > 0 };
    },
    async list(state, limit, offset) {
      const where = state ? 'WHERE o.state = $3' : '';
      const params: unknown[] = [limit, offset, ...(state ? [state] : [])];
      const [{ rows }, count] = await Promise.all([
        db.query<Raw>(`${SELECT} ${where} ORDER BY o.opened_at DESC LIMIT $1 OFFSET $2`, params, 'outage_list'),
        db.query<{ n: string }>(
          `SELECT count(*) AS n FROM outages o ${state ? 'WHERE o.state = $1' : ''}`,
          state ? [state] : [],
          'outage_count',
        ),
      ]);
      return { total: Number(count.rows[0]?.n ?? 0), items: rows.map(toRow) };
    },
    async openOnes() {
      const { rows } = await db.query<Raw>(`${SELECT} WHERE o.state = 'open'`, [], 'outage_open_ones');
      return rows.map(toRow);
    },
    async claimNotices(outageId, kind, recipients) {
      if (recipients.length === 0) return [];
      const { rows } = await db.query<{ phone: string; customer_id: string | null }>(
        `INSERT INTO outage_notices (outage_id, phone, customer_id, kind)
         SELECT $1, x.phone, x.customer_id, $2 FROM unnest($3::text[], $4::text[]) AS x(phone, customer_id)
         ON CONFLICT DO NOTHING RETURNING phone, customer_id`,
        [outageId, kind, recipients.map((r) => r.phone), recipients.map((r) => r.customerId ?? null)],
        'outage_claim_notices',
      );
      return rows.map((r) => ({ phone: r.phone, ...(r.customer_id ? { customerId: r.customer_id } : {}) }));
    },
    async notified(outageId) {
      const { rows } = await db.query<{ phone: string; customer_id: string | null }>(
        `SELECT phone, customer_id FROM outage_notices WHERE outage_id = $1 AND kind = 'outage'`,
        [outageId],
        'outage_notified',
      );
      return rows.map((r) => ({ phone: r.phone, ...(r.customer_id ? { customerId: r.customer_id } : {}) }));
    },
  };
}
