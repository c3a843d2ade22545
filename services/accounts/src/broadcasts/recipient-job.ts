import type { Producer } from '@helpline/runtime';
import type { Job } from 'bullmq';
import { recipientJobId } from './broadcast-message.js';
import type { ClaimedRecipient, RecipientUpdate } from './broadcast-store.js';

/**
 * A failed job's reason as a report's error code and title: the provider's own number when
 * it gave one, as its status callbacks report it, and the provider's own words. The gateway
 * writes `graph_refused (131026): Graph API 400 code 131026: ...`, `twilio_refused (21655):
 * Twilio 400 code 21655: ...`, `recipient_invalid (21211): ...`; an older one wrote
 * `graph_131026: ...` and `twilio_21655: Twilio 400 code 21655: ...` (jobs it failed may
 * still be read). Any other reason gives its catalogue code (`window_closed: ...`).
 */
export function failureOf(reason: string | undefined): { code: string; title?: string } {
  const text = reason ?? '';
  const coded = /^([a-z][a-z0-9_]*)(?: \(([\w.-]+)\))?:\s*(.*)$/s.exec(text);
  if (!coded) return { code: 'unknown', ...(text ? { title: text.slice(0, 200) } : {}) };
  const [, code, providerCode, rest] = coded as unknown as [string, string, string | undefined, string];
  const older = /^graph_(\d+|http_\d+)$/.exec(code);
  const provider = /^(?:Graph API|Twilio) \d{3}(?: code (\d+))?:\s*(.*)$/s.exec(rest);
  return {
    code: providerCode ?? older?.[1] ?? provider?.[1] ?? code,
    title: (provider?.[2] ?? rest).slice(0, 200),
  };
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
