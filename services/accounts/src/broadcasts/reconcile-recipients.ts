import type { Producer } from '@helpline/runtime';
import { type BroadcastContent, recipientJobId, recipientMessage } from './broadcast-message.js';
import type { BroadcastStore, RecipientUpdate } from './broadcast-store.js';
import { settleFromJob } from './recipient-job.js';
import type { SendPacer } from './send-pacer.js';

export interface ReconcileDeps {
  store: BroadcastStore;
  outbound: Producer<'outbound'>;
  pacer: SendPacer;
  clock: () => Date;
}

/**
 * Settles recipients handed out over `staleAfterMs` ago and not heard of: a send Meta
 * refused fails its job with no event, and a process that died between claim and hand-out
 * left a recipient with no job (added again under the same job id). Returns how many
 * recipients changed.
 */
export async function reconcileStale(deps: ReconcileDeps, staleAfterMs: number): Promise<number> {
  const { store, outbound, pacer } = deps;
  const stale = await store.staleQueued(new Date(deps.clock().getTime() - staleAfterMs), 500);
  const updates: RecipientUpdate[] = [];
  const cancelledIds = new Map<string, boolean>();
  for (const recipient of stale) {
    let cancelled = cancelledIds.get(recipient.broadcastId);
    if (cancelled === undefined) {
      cancelled = (await store.get(recipient.broadcastId))?.state === 'cancelled';
      cancelledIds.set(recipient.broadcastId, cancelled);
    }
    const outcome = await settleFromJob(outbound, recipient, cancelled);
    if (outcome === 'readd') {
      // Claimed, then the process died before the hand-out: the same job id again.
      const broadcast = await store.get(recipient.broadcastId);
      if (broadcast) {
        await pacer.acquire();
        await outbound.add(recipientMessage(broadcast.id, broadcast.content as BroadcastContent, recipient) as never, {
          jobId: recipientJobId(broadcast.id, recipient.seq),
        });
      }
    } else if (outcome) updates.push(outcome);
  }
  return store.apply(updates);
}
