import { type ConversationEvent, jobIds, type OutboundContent, type OutboundMessage } from '@helpline/contracts';
import { isOneToOneChannel } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import { messageSent } from '../events/conversation-events.js';
import type { DeliveryStatusUpdate, OutboundObserver } from '../outbound/channel-sender.js';
import { hasConsent } from './chat-records.js';
import type { ConversationStore } from './conversation-store.js';
import type { Handoff } from './handoff.js';

export interface OutboundLogDeps {
  store: ConversationStore;
  /** Appends what was sent to a support group to the desk's event stream. */
  recordGroupEvent?: (event: ConversationEvent) => Promise<void>;
  handoff: Handoff;
  clock: () => Date;
  noticeVersion: string;
  logger: Logger;
}

/** The words a customer saw, for the log and the classifier's history. */
export function outboundText(content: OutboundContent): string {
  switch (content.kind) {
    case 'text':
      return content.body;
    case 'buttons':
      return [content.body, ...content.buttons.map((b) => `[${b.title}]`)].join('\n');
    case 'list':
      return content.body;
    case 'template':
      return `(template ${content.name})`;
    case 'media':
      return content.caption ?? `(${content.mediaType})`;
    case 'location':
      return [content.name, content.address].filter(Boolean).join(', ') || '(location)';
    case 'mark_read':
      return '';
  }
}

/**
 * Hears the outbound worker: logs every message sent to a consenting Cloud API chat with
 * its delivery state, attaches the classification it carries to the customer's message it
 * answers, and starts the handoff the classifier asks for (`meta.handoff`).
 */
export function createOutboundLog(deps: OutboundLogDeps): OutboundObserver {
  const { store } = deps;
  return {
    async onSent(message: OutboundMessage, result: { messageId?: string }) {
      if (message.content.kind === 'mark_read') return;
      if (message.channel === 'group') {
        // Staff groups need no consent: what the bot said there is archived like a chat's.
        const entry = {
          id: jobIds.outbound(message.correlationId, message.purpose),
          at: deps.clock().toISOString(),
          text: outboundText(message.content),
          ...(result.messageId ? { providerMessageId: result.messageId } : {}),
        };
        await deps.recordGroupEvent?.(messageSent(message, entry));
        return;
      }
      if (!isOneToOneChannel(message.channel)) return;
      const chat = await store.getChat(message.to);
      // Before consent nothing about the chat is kept, not even what the bot said to it.
      if (!hasConsent(chat, deps.noticeVersion)) return;
      const now = deps.clock();
      const entryId = jobIds.outbound(message.correlationId, message.purpose);
      const classification = message.meta?.classification;
      const customerId = message.meta?.customerId ?? chat?.customerId;
      if (message.meta?.customerId && message.meta.customerId !== chat?.customerId) {
        // A producer identified the customer: the chat now belongs to a known customer.
        await store.updateChat(message.to, { customerId: message.meta.customerId });
      }
      const entry = {
        id: entryId,
        direction: 'outbound' as const,
        type: message.content.kind,
        text: outboundText(message.content),
        at: now.toISOString(),
        status: 'sent' as const,
        purpose: message.purpose,
        ...(result.messageId ? { providerMessageId: result.messageId } : {}),
        ...(customerId ? { customerId } : {}),
        ...(message.meta?.answer ? { answer: message.meta.answer } : {}),
      };
      // The entry, its channel id's mapping and the classification (on it and on the
      // customer's message it answers: that one was classified first) in one script.
      await store.appendSent(message.to, entry, now.getTime(), messageSent(message, entry), {
        answers: message.correlationId,
        ...(classification ? { classification } : {}),
      });
      if (message.meta?.transcript) {
        // The voice note the message answers: its words beside the audio reference.
        await store.setTranscript(message.to, message.correlationId, message.meta.transcript);
      }
      const awaiting = message.meta?.awaiting;
      if (awaiting) {
        // The accounts service asked a question: the chat's next answer goes to it.
        const mode =
          awaiting === 'account_identity'
            ? 'awaiting_account'
            : awaiting === 'payment_receipt'
              ? 'awaiting_receipt'
              : 'menu';
        const waiting = chat?.mode === 'awaiting_account' || chat?.mode === 'awaiting_receipt';
        if (mode !== 'menu' || waiting) await store.updateChat(message.to, { mode });
      }
      if (message.meta?.handoff) {
        deps.logger.info({ correlationId: message.correlationId }, 'classifier asked for a handoff');
        await deps.handoff.start({
          chatId: message.to,
          correlationId: message.correlationId,
          language: classification?.language ?? chat?.language ?? 'es',
          reason: 'classifier',
          at: now,
        });
      }
    },

    async onStatus(update: DeliveryStatusUpdate) {
      const target = await store.lookupProviderId(update.messageId);
      if (!target) return;
      const first = update.errors?.[0];
      await store.setStatus(target.chatId, target.entryId, {
        status: update.status,
        statusAt: update.timestamp,
        ...(first ? { error: { code: first.code, ...(first.title ? { title: first.title } : {}) } } : {}),
      });
    },
  };
}
