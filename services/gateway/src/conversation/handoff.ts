import type { Channel, Language } from '@helpline/contracts';
import { jobIds } from '@helpline/contracts';
import type { Producer } from '@helpline/runtime';
import { handoffEnded, handoffStarted } from '../events/conversation-events.js';
import type { ConversationMetrics } from './conversation-metrics.js';
import type { ConversationStore } from './conversation-store.js';
import type { Replies } from './replies.js';

export interface HandoffDeps {
  store: ConversationStore;
  outbound: Producer<'outbound'>;
  replies: Replies;
  metrics: ConversationMetrics;
  handoffHours: number;
}

export interface HandoffRequest {
  chatId: string;
  /** The message that asked for it; the announcement's job id derives from it. */
  correlationId: string;
  language: Language;
  reason: 'customer' | 'classifier';
  at: Date;
  /** The channel the announcement goes on (cloud or twilio); cloud when not said. */
  channel?: Channel;
}

/**
 * Hands a chat to a person: automatic answers stop until staff resume it or the timeout
 * passes, the chat shows as paused to staff, and the customer is told (by this announcement
 * when the customer asked, by the classifier's acknowledgement otherwise). Repeating it for the
 * same correlation id announces nothing twice (the job id is the same).
 */
export function createHandoff(deps: HandoffDeps) {
  return {
    async start(request: HandoffRequest, options: { count?: boolean } = {}): Promise<void> {
      const atMs = request.at.getTime();
      const until = atMs + deps.handoffHours * 3600_000;
      await deps.store.updateChat(
        request.chatId,
        { pausedUntil: until, handoffAt: request.at.toISOString(), handoffReason: request.reason },
        [],
        atMs,
        handoffStarted({ ...request, until: new Date(until) }),
      );
      // A handoff the classifier asked for rides on its acknowledgement, which already tells
      // the customer a person will answer; announcing it again would say the same thing twice.
      if (request.reason === 'customer') {
        const announcement = deps.replies.text(
          {
            chatId: request.chatId,
            correlationId: request.correlationId,
            language: request.language,
            channel: request.channel,
          },
          'handoff',
          (t) => t.handoff,
        );
        await deps.outbound.add(announcement, { jobId: jobIds.outbound(request.correlationId, 'handoff') });
      }
      if (options.count !== false) deps.metrics.event('handoff');
    },

    /** Ends a pause (staff, or a timeout noticed on the next message at `at`). */
    async end(chatId: string, reason: 'staff' | 'timeout', at: Date): Promise<void> {
      await deps.store.updateChat(
        chatId,
        {},
        ['pausedUntil', 'handoffAt', 'handoffReason'],
        undefined,
        handoffEnded(chatId, at, reason),
      );
    },
  };
}

export type Handoff = ReturnType<typeof createHandoff>;
