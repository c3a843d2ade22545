import type { Producer } from '@helpline/runtime';
import { type BroadcastContent, recipientJobId, recipientMessage } from './broadcast-message.js';
import type { BroadcastStore, ClaimedRecipient } from './broadcast-store.js';
import type { CancelFlags } from './cancel-flags.js';
import type { SendPacer } from './send-pacer.js';
import type { WindowClient } from './window-client.js';

export interface HandOutDeps {
  store: BroadcastStore;
  outbound: Producer<'outbound'>;
  pacer: SendPacer;
  windows: WindowClient;
  cancelled: CancelFlags;
}

/**
 * Hands one claimed batch of a broadcast to `outbound`, a message at a time at the shared
 * pace. Free text first asks the gateway which chats are inside their 24-hour window; the
 * others are recorded as skipped. Returns how many were handed out.
 */
export async function handOut(
  deps: HandOutDeps,
  broadcastId: string,
  content: BroadcastContent,
  batch: readonly ClaimedRecipient[],
  signal?: AbortSignal,
): Promise<number> {
  const { store, outbound, pacer } = deps;
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
    if (await deps.cancelled.isSet(broadcastId)) {
      await store.apply(recipients.slice(index).map((r) => ({ broadcastId, seq: r.seq, state: 'cancelled' as const })));
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
