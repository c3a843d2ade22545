import type { Logger, Producer } from '@helpline/runtime';
import type { Job } from 'bullmq';
import { recipientJobId } from './broadcast-message.js';
import type { BroadcastStore, RecipientUpdate } from './broadcast-store.js';
import type { CancelFlags } from './cancel-flags.js';
import { settleFromJob } from './recipient-job.js';

export interface CancelDeps {
  store: BroadcastStore;
  outbound: Producer<'outbound'>;
  cancelled: CancelFlags;
  clock: () => Date;
  logger: Logger;
}

/** Cancels a broadcast: flags it for every replica, records it, withdraws its jobs not yet taken. */
export async function cancelBroadcast(deps: CancelDeps, id: string): Promise<{ found: boolean; withdrawn: number }> {
  const { store, outbound } = deps;
  // The flag first: every replica's dispatcher stops handing this one out at its next message.
  await deps.cancelled.set(id);
  const { row, queued } = await store.cancel(id, deps.clock());
  if (!row) {
    const existing = await store.get(id);
    if (!existing) await deps.cancelled.clear(id);
    return { found: existing !== undefined, withdrawn: 0 };
  }
  const updates: RecipientUpdate[] = [];
  for (const recipient of queued) {
    const job = (await outbound.queue.getJob(recipientJobId(id, recipient.seq))) as Job | undefined;
    // No job yet: a hand-out in flight, or never made; the reconciler settles it later.
    if (!job) continue;
    const outcome = await settleFromJob(outbound, recipient, true);
    if (outcome && outcome !== 'readd' && outcome.state === 'cancelled') updates.push(outcome);
  }
  const withdrawn = await store.apply(updates);
  deps.logger.info({ broadcastId: id, withdrawn }, 'broadcast cancelled');
  return { found: true, withdrawn };
}
