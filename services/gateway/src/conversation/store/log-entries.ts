// A logged entry as read: its body with its latest status and its classification merged in
// (they live in hashes of their own, beside the bodies; see log-scripts.ts).
import type { Classification } from '@helpline/contracts';
import type { DeliveryState, LogEntry } from '../chat-records.js';

/** The delivery state of a logged outbound message, kept beside its body. */
export interface EntryStatus {
  status: DeliveryState;
  statusAt: string;
  error?: { code: number; title?: string };
}

/** Entries by id from the three hashes read in the ids' order: body, latest status, classification. */
export function mergeEntries(
  ids: readonly string[],
  bodies: readonly (string | null)[] | undefined,
  statuses: readonly (string | null)[] | undefined,
  classifications: readonly (string | null)[] | undefined,
): LogEntry[] {
  const entries: LogEntry[] = [];
  ids.forEach((_, i) => {
    const body = bodies?.[i];
    if (!body) return;
    const entry = JSON.parse(body) as LogEntry;
    const status = statuses?.[i];
    if (status) Object.assign(entry, JSON.parse(status) as EntryStatus);
    const classification = classifications?.[i];
    if (classification) entry.classification = JSON.parse(classification) as Classification;
    entries.push(entry);
  });
  return entries;
}
