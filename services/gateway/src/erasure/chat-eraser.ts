import { ACCOUNT_REQUEST_KINDS, jobIds } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConversationWindow } from '../cloud/conversation-window.js';
import type { RecipientPacer } from '../cloud/recipient-pacer.js';
import type { ConversationStore } from '../conversation/conversation-store.js';
import type { StaffQueries } from '../conversation/staff-queries.js';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { ConversationEventStream } from '../events/conversation-event-stream.js';
import { chatErased } from '../events/conversation-events.js';
import { forgetChatEvents } from '../events/forget-chat-events.js';
import type { ArrivalLog } from '../latency/arrival-log.js';
import type { RefusedMessageStore } from '../webhook/refused-messages.js';

/** What a data-removal request took away, for the answer and the operator's records. */
export interface ErasureReport {
  /** Conversation log entries forgotten with the chat's record and consent. */
  messages: number;
  /** BullMQ jobs removed, by queue (their payloads carry the chat's texts and number). */
  jobs: { inbound: number; outbound: number; diagnostics: number; accounts?: number };
  /** Jobs a worker was running at that moment: BullMQ cannot remove them (see the docs). */
  activeJobsLeft: number;
  deliveryRecords: number;
  arrivals: number;
  refusedMessages: number;
  /** The chat's events not yet archived by the desk, removed from the stream (consent kept). */
  streamEvents: number;
  window: boolean;
  pacing: boolean;
}

export interface ChatEraserDeps {
  store: Pick<ConversationStore, 'logTraces'>;
  /** The conversation's own forget: log, record, consent, indexes, rate windows, id mappings. */
  staff: Pick<StaffQueries, 'forget'>;
  deliveryStore: Pick<DeliveryStore, 'sentTo' | 'forgetRecipient'>;
  window: Pick<ConversationWindow, 'forget'>;
  pacer: Pick<RecipientPacer, 'forget'>;
  arrivals: Pick<ArrivalLog, 'forget'>;
  refusedMessages: Pick<RefusedMessageStore, 'forgetChat'>;
  /** `accounts` when the accounts service is enabled: its requests carry the chat and the phone. */
  queues: { inbound: Queue; outbound: Queue; diagnostics: Queue; accounts?: Queue };
  /** The queues' Redis, to look ids up in bulk (a job's hash is `queue.toKey(id)`). */
  redis: Redis;
  /**
   * Purposes under which replies to a story may have been queued: each story's outbound
   * job ids (`<correlationId>-<purpose>`) are tried with every one, which finds the replies
   * that were never sent (failed, waiting) and so left no delivery record.
   */
  purposes: Iterable<string>;
  /** Where the erasure is announced, so the desk erases its archive of the chat too. */
  events: ConversationEventStream;
  clock: () => Date;
  logger: Logger;
}

/** Ids looked up per round of pipelined commands. */
const BATCH = 200;
/** The job states scanned for a chat's jobs whose ids no record names (a dead letter, a backlog). */
const SCANNED_STATES = ['failed', 'delayed', 'waiting', 'prioritized'] as const;

type JobData = { chatId?: unknown; to?: unknown; customer?: { phone?: unknown }; replyTo?: { chatId?: unknown } };

/** Whether a job's payload belongs to the chat: inbound by chat, outbound by recipient, diagnostics by either. */
function namesChat(data: unknown, chatId: string): boolean {
  const d = (data ?? {}) as JobData;
  return d.chatId === chatId || d.to === chatId || d.replyTo?.chatId === chatId || d.customer?.phone === chatId;
}

/** `<correlationId>-<purpose>` -> correlationId, for an outbound log entry. */
function correlationOf(entryId: string, purpose: string | undefined): string | undefined {
  const suffix = purpose ? `-${jobIds.outbound('', purpose).slice(1)}` : undefined;
  return suffix && entryId.endsWith(suffix) ? entryId.slice(0, -suffix.length) : undefined;
}

/**
 * Removes every job of `queue` with one of `ids` or whose payload names the chat in a
 * scanned state, unless a worker holds it. BullMQ's remove takes the job's hash, its place
 * in every state list, its logs and its deduplication entry.
 */
async function removeJobs(
  redis: Redis,
  queue: Queue,
  ids: ReadonlySet<string>,
  chatId: string,
): Promise<{ removed: number; active: number }> {
  const candidates = new Set<string>();
  const idList = [...ids];
  for (let i = 0; i < idList.length; i += BATCH) {
    const batch = idList.slice(i, i + BATCH);
    const exists = await Promise.all(batch.map((id) => redis.exists(queue.toKey(id))));
    batch.forEach((id, j) => {
      if (exists[j] === 1) candidates.add(id);
    });
  }
  for (const state of SCANNED_STATES) {
    for (let start = 0; ; start += BATCH) {
      const jobs = await queue.getJobs([state], start, start + BATCH - 1, true);
      for (const job of jobs) if (job.id && namesChat(job.data, chatId)) candidates.add(job.id);
      if (jobs.length < BATCH) break;
    }
  }
  let removed = 0;
  let active = 0;
  for (const id of candidates) {
    // 0: the job is locked by a worker running it (or has locked children).
    if ((await queue.remove(id)) === 1) removed += 1;
    else active += 1;
  }
  return { removed, active };
}

/**
 * A data-removal request (Ley 1581 de 2012) for one Cloud API chat: everything the gateway
 * keeps that names the chat or carries its words, not only the conversation. The traces
 * are gathered first and the conversation is forgotten last, so that a request cut short
 * (Redis away halfway) can be repeated and still finds what is left.
 */
export function createChatEraser(deps: ChatEraserDeps) {
  const purposes = [...new Set(deps.purposes)];
  return {
    /** Undefined when nothing at all was known about the chat. */
    async erase(chatId: string): Promise<ErasureReport | undefined> {
      const [log, sent] = await Promise.all([deps.store.logTraces(chatId), deps.deliveryStore.sentTo(chatId)]);

      // The stories of the chat: its own messages (inbound ids are correlation ids) and the
      // stories of every message sent to it.
      const stories = new Set<string>();
      const outboundIds = new Set<string>();
      const providerIds: string[] = [];
      for (const entry of log) {
        if (entry.direction === 'inbound') stories.add(entry.id);
        else {
          outboundIds.add(entry.id);
          const story = correlationOf(entry.id, entry.purpose);
          if (story) stories.add(story);
        }
        if (entry.providerMessageId) providerIds.push(entry.providerMessageId);
      }
      for (const message of sent) {
        if (!message.correlationId) continue;
        stories.add(message.correlationId);
        if (message.purpose) outboundIds.add(jobIds.outbound(message.correlationId, message.purpose));
      }
      for (const story of stories) for (const purpose of purposes) outboundIds.add(jobIds.outbound(story, purpose));

      const inboundIds = new Set([...stories].map((story) => jobIds.inbound(story)));
      const diagnosticIds = new Set([...stories].map((story) => jobIds.diagnostics(story)));
      const inbound = await removeJobs(deps.redis, deps.queues.inbound, inboundIds, chatId);
      const outbound = await removeJobs(deps.redis, deps.queues.outbound, outboundIds, chatId);
      const diagnostics = await removeJobs(deps.redis, deps.queues.diagnostics, diagnosticIds, chatId);
      const accountIds = new Set(
        [...stories].flatMap((story) => ACCOUNT_REQUEST_KINDS.map((kind) => jobIds.accounts(story, kind))),
      );
      const accounts = deps.queues.accounts
        ? await removeJobs(deps.redis, deps.queues.accounts, accountIds, chatId)
        : { removed: 0, active: 0 };

      const deliveryRecords = await deps.deliveryStore.forgetRecipient(chatId, providerIds);
      const arrivals = await deps.arrivals.forget([...stories]);
      const window = await deps.window.forget(chatId);
      const pacing = await deps.pacer.forget(chatId);
      const refusedMessages = await deps.refusedMessages.forgetChat(chatId);
      const conversation = await deps.staff.forget(chatId);
      // The chat's events the desk has not archived yet (its consent evidence stays).
      const streamEvents = await forgetChatEvents(deps.redis, deps.events.key, chatId);

      const report: ErasureReport = {
        messages: conversation?.messages ?? 0,
        jobs: {
          inbound: inbound.removed,
          outbound: outbound.removed,
          diagnostics: diagnostics.removed,
          ...(deps.queues.accounts ? { accounts: accounts.removed } : {}),
        },
        activeJobsLeft: inbound.active + outbound.active + diagnostics.active + accounts.active,
        deliveryRecords,
        arrivals,
        refusedMessages,
        streamEvents,
        window,
        pacing,
      };
      const anything =
        conversation !== undefined ||
        report.activeJobsLeft +
          inbound.removed +
          outbound.removed +
          diagnostics.removed +
          accounts.removed +
          deliveryRecords +
          arrivals +
          refusedMessages +
          streamEvents >
          0 ||
        window ||
        pacing;
      // Announced even when Redis kept nothing, since the archive may hold the chat: the desk
      // erases it there when it reads this mark.
      await deps.events.append(deps.redis, chatErased(chatId, deps.clock()));
      if (!anything) return undefined;
      // Counts only: the number and the texts are what was just erased.
      deps.logger.info({ erased: report }, 'chat erased on a data-removal request');
      if (report.activeJobsLeft > 0) {
        deps.logger.warn(
          { activeJobsLeft: report.activeJobsLeft },
          'jobs of an erased chat were running and could not be removed; repeat the request once they finish',
        );
      }
      return report;
    },
  };
}

export type ChatEraser = ReturnType<typeof createChatEraser>;
