import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, Producer, Redis } from '@helpline/runtime';
import type { Job } from 'bullmq';
import { type BroadcastContent, recipientJobId, recipientMessage } from './broadcast-message.js';
import type { BroadcastStore, ClaimedRecipient, RecipientUpdate } from './broadcast-store.js';
import type { SendPacer } from './send-pacer.js';
import type { WindowClient } from './window-client.js';

export interface DispatcherDeps {
  store: BroadcastStore;
  outbound: Producer<'outbound'>;
  pacer: SendPacer;
  windows: WindowClient;
  /** Where a cancel is flagged for every replica's dispatcher at once. */
  redis: Redis;
  keyPrefix: string;
  clock: () => Date;
  logger: Logger;
  /** A recipient handed out this long ago and not heard of is looked up in the queue. */
  staleAfterMs?: number;
  /** Recipients taken per claim. */
  batchSize?: number;
  onHanded?: (count: number) => void;
}

export interface Dispatcher {
  /** One pass over the running broadcasts: hands out what the pace allows. Returns how many. */
  tick(signal?: AbortSignal): Promise<number>;
  /** Settles recipients whose job ended without an event (failed sends, a lost hand-out). */
  reconcile(): Promise<number>;
  /** Cancels a broadcast: flags it, withdraws its unsent jobs. */
  cancel(id: string): Promise<{ found: boolean; withdrawn: number }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * A failed job's reason as a report's error code and title: the provider's own number when
 * it gave one (`graph_refused (131026): Graph API 400 code 131026: ...` -> 131026, Twilio's
 * likewise), else the catalogue code (`window_closed: ...`). `graph_131026: ...` is how an
 * older gateway wrote Meta's number; jobs it failed may still be read.
 */
export function failureOf(reason: string | undefined): { code: string; title?: string } {
  const text = reason ?? '';
  const coded = /^([a-z][a-z0-9_]*)(?: \(([\w.-]+)\))?:\s*(.*)$/s.exec(text);
  if (coded) {
    const older = /^graph_(\d+|http_\d+)$/.exec(coded[1] as string);
    const code = coded[2] ?? older?.[1] ?? (coded[1] as string);
    return { code, title: (coded[3] as string).slice(0, 200) };
  }
  return { code: 'unknown', ...(text ? { title: text.slice(0, 200) } : {}) };
}

/**
 * Hands broadcast recipients to the gateway's `outbound` queue at the shared pace, in
 * order, from every replica at once (claims in PostgreSQL never overlap). A free-text
 * broadcast first asks the gateway which chats are inside their 24-hour window; the
 * others are recorded as skipped. The gateway then sends each (or skips it for opt-out or
 * missing consent) and its events fill in the report.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { store, outbound, pacer, clock, logger } = deps;
  const batchSize = deps.batchSize ?? Math.max(10, Math.min(200, Math.ceil(pacer.perSecond)));
  const staleAfterMs = deps.staleAfterMs ?? 60_000;
  const cancelKey = (id: string) => `${deps.keyPrefix}:broadcast:cancelled:${id}`;
  let loop: Promise<void> | undefined;
  let abort: AbortController | undefined;

  async function isCancelled(id: string): Promise<boolean> {
    return (await deps.redis.exists(cancelKey(id))) === 1;
  }

  async function handOut(
    broadcastId: string,
    content: BroadcastContent,
    batch: ClaimedRecipient[],
    signal?: AbortSignal,
  ): Promise<number> {
    let handed = 0;
    let recipients = batch;
    if (content.kind === 'text') {
      const open = await deps.windows.open(batch.map((r) => r.phone));
      const closed = batch.filter((r) => !open.has(r.phone));
      await store.apply(closed.map((r) => ({ broadcastId, seq: r.seq, state: 'skipped_window' as const })));
      recipients = batch.filter((r) => open.has(r.phone));
    }
    for (const [index, recipient] of recipients.entries()) {
      // Checked before every hand-out: a cancel stops this replica within one message, and
      // the rest of its batch (never handed out) is recorded as cancelled at once.
      if (await isCancelled(broadcastId)) {
        await store.apply(
          recipients.slice(index).map((r) => ({ broadcastId, seq: r.seq, state: 'cancelled' as const })),
        );
        break;
      }
      await pacer.acquire(signal);
      await outbound.add(recipientMessage(broadcastId, content, recipient) as never, {
        jobId: recipientJobId(broadcastId, recipient.seq),
      });
      handed += 1;
    }
    return handed;
  }

  async function tick(signal?: AbortSignal): Promise<number> {
    let handed = 0;
    for (const broadcast of await store.due(clock())) {
      const batch = await store.claim(broadcast.id, batchSize, clock());
      if (batch.length === 0) continue;
      const n = await handOut(broadcast.id, broadcast.content as BroadcastContent, batch, signal);
      deps.onHanded?.(n);
      handed += n;
    }
    await store.finish(clock());
    return handed;
  }

  /** What a recipient's job says when no event did. */
  async function settle(
    recipient: ClaimedRecipient,
    cancelled: boolean,
  ): Promise<RecipientUpdate | 'readd' | undefined> {
    const jobId = recipientJobId(recipient.broadcastId, recipient.seq);
    const job = (await outbound.queue.getJob(jobId)) as Job | undefined;
    const at = { broadcastId: recipient.broadcastId, seq: recipient.seq };
    if (!job) return cancelled ? { ...at, state: 'cancelled' } : 'readd';
    const state = await job.getState();
    if (state === 'failed') {
      const failure = toFailure(job.failedReason);
      // The gateway refuses free text of a broadcast once the chat's window has closed.
      if (failure.errorCode === 'window_closed') return { ...at, state: 'skipped_window' };
      return { ...at, state: 'failed', ...failure };
    }
    if (state === 'completed') {
      const result = job.returnvalue as { messageId?: string } | null;
      return result?.messageId ? { ...at, state: 'sent', providerMessageId: result.messageId } : undefined;
    }
    if (cancelled && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
      try {
        await job.remove();
        return { ...at, state: 'cancelled' };
      } catch {
        return undefined; // taken by a worker meanwhile: it is sent, and its event says so
      }
    }
    return undefined;
  }

  const toFailure = (reason: string | undefined) => {
    const f = failureOf(reason);
    return { errorCode: f.code, ...(f.title ? { errorTitle: f.title } : {}) };
  };

  async function reconcile(): Promise<number> {
    const stale = await store.staleQueued(new Date(clock().getTime() - staleAfterMs), 500);
    const updates: RecipientUpdate[] = [];
    const cancelledIds = new Map<string, boolean>();
    for (const recipient of stale) {
      let cancelled = cancelledIds.get(recipient.broadcastId);
      if (cancelled === undefined) {
        cancelled = (await store.get(recipient.broadcastId))?.state === 'cancelled';
        cancelledIds.set(recipient.broadcastId, cancelled);
      }
      const outcome = await settle(recipient, cancelled);
      if (outcome === 'readd') {
        // Claimed, then the process died before the hand-out: the same job id again.
        const broadcast = await store.get(recipient.broadcastId);
        if (broadcast) {
          await pacer.acquire();
          await outbound.add(
            recipientMessage(broadcast.id, broadcast.content as BroadcastContent, recipient) as never,
            {
              jobId: recipientJobId(broadcast.id, recipient.seq),
            },
          );
        }
      } else if (outcome) updates.push(outcome);
    }
    return store.apply(updates);
  }

  async function cancel(id: string): Promise<{ found: boolean; withdrawn: number }> {
    // The flag first: every replica's dispatcher stops handing this one out at its next message.
    await deps.redis.set(cancelKey(id), '1', 'EX', 7 * 24 * 3600);
    const { row, queued } = await store.cancel(id, clock());
    if (!row) {
      const existing = await store.get(id);
      if (!existing) await deps.redis.del(cancelKey(id));
      return { found: existing !== undefined, withdrawn: 0 };
    }
    const updates: RecipientUpdate[] = [];
    for (const recipient of queued) {
      const job = (await outbound.queue.getJob(recipientJobId(id, recipient.seq))) as Job | undefined;
      // No job yet: a hand-out in flight, or never made; the reconciler settles it later.
      if (!job) continue;
      const outcome = await settle(recipient, true);
      if (outcome && outcome !== 'readd' && outcome.state === 'cancelled') updates.push(outcome);
    }
    const withdrawn = await store.apply(updates);
    logger.info({ broadcastId: id, withdrawn }, 'broadcast cancelled');
    return { found: true, withdrawn };
  }

  async function run(signal: AbortSignal): Promise<void> {
    let lastReconcile = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const handed = await tick(signal);
        if (Date.now() - lastReconcile > Math.min(staleAfterMs, 15_000)) {
          lastReconcile = Date.now();
          await reconcile();
        }
        failures = 0;
        if (handed === 0) await sleep(500, undefined, { signal });
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        if (failures === 1 || failures % 20 === 0)
          logger.warn({ err: error, failures }, 'broadcast dispatch failed; retrying');
        await sleep(Math.min(250 * 2 ** Math.min(failures, 5), 10_000), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  return {
    tick,
    reconcile,
    cancel,
    start() {
      if (loop) return;
      abort = new AbortController();
      loop = run(abort.signal).catch(() => undefined);
    },
    async stop() {
      abort?.abort();
      await loop;
      loop = undefined;
    },
  };
}
