import { type NoticeSkipReason, noticeOptOutKey, type OutboundMessage } from '@helpline/contracts';
import { METRIC_PREFIX, type Redis, type ServiceMetrics } from '@helpline/runtime';
import { Counter } from 'prom-client';
import { type ChatRecord, hasConsent } from '../conversation/chat-records.js';
import type { ConversationEventStream } from '../events/conversation-event-stream.js';
import { noticeSkipped } from '../events/conversation-events.js';

/**
 * The send-time check of notices (messages marked `meta.notice`): a chat that opted out
 * (the accounts service's Redis mirror of its PostgreSQL record) or has no Ley 1581
 * consent to the current privacy notice gets nothing. Checked when the outbound worker
 * is about to send, not when the notice was queued, so an opt-out that comes after a
 * notice was queued still holds it back. Messages without `meta.notice` (answers the
 * customer asked for) are never held back here.
 */
export interface NoticeGate {
  /** Why the notice must not go, or undefined when it may (or is no notice). */
  check(message: OutboundMessage): Promise<NoticeSkipReason | undefined>;
  /** Records the skip: the `notice_skipped` conversation event and the metric. */
  skipped(message: OutboundMessage, jobId: string, reason: NoticeSkipReason): Promise<void>;
  /** Counts a notice the channel took. */
  sent(message: OutboundMessage): void;
}

export interface NoticeGateDeps {
  redis: Redis;
  /** BullMQ prefix shared with the accounts service (the opt-out set lives under it). */
  prefix: string;
  getChat(chatId: string): Promise<ChatRecord | undefined>;
  noticeVersion: string;
  events: ConversationEventStream;
  metrics: ServiceMetrics;
  clock: () => Date;
}

const OUTCOME: Record<NoticeSkipReason, string> = {
  opted_out: 'skipped_opted_out',
  no_consent: 'skipped_no_consent',
  window_closed: 'skipped_window_closed',
};

export function createNoticeGate(deps: NoticeGateDeps): NoticeGate {
  const key = noticeOptOutKey(deps.prefix);
  const counter = new Counter({
    name: `${METRIC_PREFIX}notices_total`,
    help: 'Notices by purpose and outcome (gateway, at send time: sent, skipped_opted_out, skipped_no_consent)',
    labelNames: ['purpose', 'outcome'] as const,
    registers: [deps.metrics.registry],
  });
  return {
    async check(message) {
      if (!message.meta?.notice) return undefined;
      if ((await deps.redis.sismember(key, message.to)) === 1) return 'opted_out';
      const chat = await deps.getChat(message.to);
      if (!hasConsent(chat, deps.noticeVersion)) return 'no_consent';
      return undefined;
    },
    async skipped(message, jobId, reason) {
      const event = noticeSkipped(message, jobId, reason, deps.clock());
      if (!event) return;
      await deps.events.append(deps.redis, event);
      counter.inc({ purpose: event.notice.purpose, outcome: OUTCOME[reason] });
    },
    sent(message) {
      const notice = message.meta?.notice;
      if (notice) counter.inc({ purpose: notice.purpose, outcome: 'sent' });
    },
  };
}
