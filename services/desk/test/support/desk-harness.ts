import { once } from 'node:events';
import {
  CONVERSATION_EVENT_VERSION,
  CONVERSATION_STREAM_FIELD,
  type ConversationEvent,
  conversationEventIds,
} from '@helpline/contracts';
import { createLogger, type HttpApp, type Redis } from '@helpline/runtime';
import { uniqueQueueName } from '@helpline/testkit';
import { buildApp } from '../../src/app.js';
import { parseDeskConfig } from '../../src/config.js';
import { createContext, type DeskContext, type DeskContextOverrides } from '../../src/context.js';

export const API_TOKEN = 'operator-token-0123456789';
export const auth = { authorization: `Bearer ${API_TOKEN}` };

export interface Desk {
  context: DeskContext;
  app: HttpApp;
  close(): Promise<void>;
}

/** A desk on the test Redis and a fresh database, its schema migrated; the consumer not started. */
export async function startDesk(
  redisUrl: string,
  databaseUrl: string,
  env: Record<string, string> = {},
  overrides: DeskContextOverrides = {},
): Promise<Desk> {
  const config = parseDeskConfig({ API_TOKEN, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ...env });
  const context = createContext(config, {
    prefix: uniqueQueueName('desk'),
    logger: createLogger({ name: 'desk-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    consumer: { blockMs: 100, claimIdleMs: 200 },
    ...overrides,
  });
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  await context.db.migrate();
  const app = await buildApp(context);
  return {
    context,
    app,
    async close() {
      await app.close();
      await context.close();
    },
  };
}

/** Appends events as the gateway does (one XADD each). */
export async function append(redis: Redis, stream: string, events: readonly ConversationEvent[]): Promise<void> {
  const multi = redis.multi();
  for (const event of events) multi.xadd(stream, '*', CONVERSATION_STREAM_FIELD, JSON.stringify(event));
  await multi.exec();
}

const base = (chatId: string, at: Date) => ({
  v: CONVERSATION_EVENT_VERSION,
  at: at.toISOString(),
  channel: 'cloud' as const,
  chatId,
});

/** Builders of the gateway's events, for tests that write the stream themselves. */
export const events = {
  received(chatId: string, id: string, text: string, at: Date, extra: { customerId?: string; name?: string } = {}) {
    return {
      ...base(chatId, at),
      id: conversationEventIds.received(id),
      type: 'message_received',
      message: {
        id,
        kind: 'text',
        text,
        ...(extra.customerId ? { customerId: extra.customerId } : {}),
        ...(extra.name ? { senderName: extra.name } : {}),
      },
    } satisfies ConversationEvent;
  },
  sent(
    chatId: string,
    correlationId: string,
    purpose: string,
    text: string,
    at: Date,
    extra: { providerMessageId?: string; customerId?: string; category?: 'connectivity' | 'billing' } = {},
  ) {
    const id = `${correlationId}-${purpose}`;
    return {
      ...base(chatId, at),
      id: conversationEventIds.sent(id),
      type: 'message_sent',
      message: {
        id,
        correlationId,
        purpose,
        kind: 'text',
        text,
        ...(extra.providerMessageId ? { providerMessageId: extra.providerMessageId } : {}),
        ...(extra.customerId ? { customerId: extra.customerId } : {}),
        ...(extra.category
          ? {
              classification: {
                category: extra.category,
                priority: 'medium',
                needsTicket: false,
                summary: 'resumen',
                language: 'es',
                confidence: 0.8,
                source: 'keywords',
                entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
              },
            }
          : {}),
      },
    } satisfies ConversationEvent;
  },
  status(
    chatId: string,
    providerMessageId: string,
    status: 'sent' | 'delivered' | 'read' | 'failed',
    at: Date,
    error?: { code: number; title?: string },
  ) {
    return {
      ...base(chatId, at),
      id: conversationEventIds.status(providerMessageId, status),
      type: 'delivery_status',
      providerMessageId,
      status,
      ...(error ? { error } : {}),
    } satisfies ConversationEvent;
  },
  consent(chatId: string, messageId: string, decision: 'given' | 'declined' | 'withdrawn', at: Date) {
    return {
      ...base(chatId, at),
      id: conversationEventIds.consent(messageId, decision),
      type: 'consent',
      decision,
      noticeVersion: '1',
      noticeText: 'Aviso de privacidad (Ley 1581 de 2012)\n[Acepto]\n[No acepto]',
      noticeSha256: 'c'.repeat(64),
      noticeLanguage: 'es',
      messageId,
    } satisfies ConversationEvent;
  },
  handoffStarted(chatId: string, correlationId: string, at: Date) {
    return {
      ...base(chatId, at),
      id: conversationEventIds.handoffStarted(chatId, correlationId),
      type: 'handoff_started',
      reason: 'customer',
      until: new Date(at.getTime() + 3600_000).toISOString(),
      correlationId,
    } satisfies ConversationEvent;
  },
  handoffEnded(chatId: string, at: Date) {
    return {
      ...base(chatId, at),
      id: conversationEventIds.handoffEnded(chatId, at.getTime()),
      type: 'handoff_ended',
      reason: 'staff',
    } satisfies ConversationEvent;
  },
  closed(chatId: string, at: Date) {
    return {
      ...base(chatId, at),
      id: conversationEventIds.closed(chatId, at.getTime()),
      type: 'chat_closed',
    } satisfies ConversationEvent;
  },
  /** A notice the gateway held back at send time. */
  noticeSkipped(
    chatId: string,
    noticeId: string,
    purpose: 'due_reminder' | 'overdue' | 'cut_off' | 'restored',
    reason: 'opted_out' | 'no_consent',
    at: Date,
  ) {
    const messageId = `${noticeId}-${purpose}`;
    return {
      ...base(chatId, at),
      id: conversationEventIds.noticeSkipped(messageId),
      type: 'notice_skipped',
      messageId,
      correlationId: noticeId,
      notice: { purpose, id: noticeId, values: { customer_name: 'Ana' } },
      reason,
    } satisfies ConversationEvent;
  },
  erased(chatId: string, at: Date) {
    return {
      ...base(chatId, at),
      id: conversationEventIds.erased(chatId, at.getTime()),
      type: 'chat_erased',
    } satisfies ConversationEvent;
  },
};
