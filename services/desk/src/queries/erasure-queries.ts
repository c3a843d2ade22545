import type { Database } from '@helpline/runtime';

export interface ErasureSummary {
  chatId: string;
  firstRequestedAt: string;
  lastAttemptAt: string;
  attempts: number;
  completedAt: string | null;
  /** Each store's outcome at the last attempt. */
  stores: Record<string, unknown>;
}

/** Data-removal requests, newest first; `incomplete` lists those an operator should repeat. */
export async function listErasures(
  db: Database,
  options: { page: number; perPage: number; state?: 'incomplete' | 'complete' },
): Promise<{ total: number; items: ErasureSummary[] }> {
  const { page, perPage, state } = options;
  const where = state === undefined ? '' : `WHERE completed_at IS ${state === 'incomplete' ? '' : 'NOT '}NULL`;
  const total = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM erasure_requests ${where}`,
    [],
    'erasures_count',
  );
  const { rows } = await db.query<{
    chat_id: string;
    first_requested_at: Date;
    last_attempt_at: Date;
    attempts: number;
    completed_at: Date | null;
    outcome: { stores?: Record<string, unknown> };
  }>(
    `SELECT chat_id, first_requested_at, last_attempt_at, attempts, completed_at, outcome
       FROM erasure_requests ${where}
      ORDER BY first_requested_at DESC, chat_id LIMIT $1 OFFSET $2`,
    [perPage, (page - 1) * perPage],
    'erasures_list',
  );
  return {
    total: Number(total.rows[0]?.n ?? 0),
    items: rows.map((r) => ({
      chatId: r.chat_id,
      firstRequestedAt: new Date(r.first_requested_at).toISOString(),
      lastAttemptAt: new Date(r.last_attempt_at).toISOString(),
      attempts: r.attempts,
      completedAt: r.completed_at ? new Date(r.completed_at).toISOString() : null,
      stores: r.outcome.stores ?? {},
    })),
  };
}
