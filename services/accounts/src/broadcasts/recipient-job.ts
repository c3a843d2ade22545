import type { Producer } from '@helpline/runtime';
import type { Job } from 'bullmq';
import { recipientJobId } from './broadcast-message.js';
import type { ClaimedRecipient, RecipientUpdate } from './broadcast-store.js';

/**
 * `graph_131026: (#131026) Message undeliverable` -> code 131026 and its title; Twilio's
 * refusals (`twilio_21655: Twilio 400 code 21655: ...`, `recipient_invalid: Twilio 400 code
 * 21211: ...`) -> Twilio's own code likewise, as its status callbacks report it.
 */
export function failureOf(reason: string | undefined): { code: string; title?: string } {
  const text = reason ?? '';
  const graph = /^graph_(\w+):\s*(.*)$/s.exec(text);
  if (graph) return { code: graph[1] as string, title: (graph[2] as string).slice(0, 200) };
  const twilio = /^[a-z][a-z0-9_]*:\s*Twilio \d{3} code (\d+):\s*(.*)$/s.exec(text);
  if (twilio) return { code: twilio[1] as string, title: (twilio[2] as string).slice(0, 200) };
  const coded = /^([a-z][a-z0-9_]*):\s*(.*)$/s.exec(text);
  if (coded) return { code: coded[1] as string, title: (coded[2] as string).slice(0, 200) };
  return { code: 'unknown', ...(text ? { title: text.slice(0, 200) } : {}) };
}

const toFailure = (reason: string | undefined) => {
  const f = failureOf(reason);
  return { errorCode: f.code, ...(f.title ? { errorTitle: f.title } : {}) };
};

/**
 * What became of a recipient, from its `outbound` job, when no conversation event said so:
 * an update, `readd` (claimed, but the job was never added: the process died before the
 * hand-out), or undefined (nothing to record yet). Of a cancelled broadcast, a job still
 * waiting is withdrawn.
 */
export async function settleFromJob(
  outbound: Producer<'outbound'>,
  recipient: ClaimedRecipient,
  cancelled: boolean,
): Promise<RecipientUpdate | 'readd' | undefined> {
  const job = (await outbound.queue.getJob(recipientJobId(recipient.broadcastId, recipient.seq))) as Job | undefined;
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
