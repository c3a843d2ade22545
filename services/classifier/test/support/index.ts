import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { InboundMessageInput } from '@helpline/contracts';
import { createLogger, type Logger } from '@helpline/runtime';
import type { FakeLlmServer } from '@helpline/testkit/llm';
import { type ClassifierConfig, parseClassifierConfig } from '../../src/config.js';

/** A logger that keeps its lines in memory, so tests can read what was logged. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ name: 'classifier-test', level: 'debug', destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Config pointing every provider at the fake server, with keys for the ones named. */
export function configFor(
  server: FakeLlmServer | undefined,
  env: Record<string, string | undefined> = {},
  keys: readonly ('openai' | 'gemini' | 'anthropic')[] = ['openai', 'gemini', 'anthropic'],
): ClassifierConfig {
  return parseClassifierConfig({
    API_TOKEN: 'test-token-0123456789',
    CLASSIFIER_TIMEOUT_MS: '2000',
    CLASSIFIER_DEADLINE_MS: '6000',
    ...(server
      ? {
          OPENAI_BASE_URL: server.baseUrl('openai'),
          GEMINI_BASE_URL: server.baseUrl('gemini'),
          ANTHROPIC_BASE_URL: server.baseUrl('anthropic'),
        }
      : {}),
    ...(keys.includes('openai') ? { OPENAI_API_KEY: 'sk-test-openai' } : {}),
    ...(keys.includes('gemini') ? { GOOGLE_API_KEY: 'test-google-key' } : {}),
    ...(keys.includes('anthropic') ? { ANTHROPIC_API_KEY: 'sk-ant-test' } : {}),
    ...env,
  });
}

/** A well-formed answer, as a model would give it. */
export function answer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: 'billing',
    priority: 'medium',
    needsTicket: true,
    summary: 'Cobro doble en la factura',
    language: 'es',
    confidence: 0.92,
    entities: { ips: [], documentNumbers: [], ticketNumbers: [] },
    ...overrides,
  };
}

export function inbound(overrides: Partial<InboundMessageInput> = {}): InboundMessageInput {
  const id = overrides.id ?? `wamid.${randomUUID()}`;
  return {
    id,
    correlationId: id,
    channel: 'cloud',
    chatId: '573001234567',
    from: '573001234567',
    senderPhone: '573001234567',
    senderName: 'Laura Gómez',
    text: 'no tengo internet desde ayer',
    type: 'text',
    sentAt: '2026-03-02T14:00:00.000Z',
    receivedAt: '2026-03-02T14:00:01.000Z',
    customer: { consent: true },
    history: [],
    ...overrides,
  };
}

export const uniquePrefix = (): string => `test-${randomUUID()}`;

export { metricValue, waitFor } from '@helpline/testkit';
