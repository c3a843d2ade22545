import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { InboundMessageInput } from '@helpline/contracts';
import { createLogger, type Logger } from '@helpline/runtime';

/** A logger that keeps its lines in memory, for assertions and a quiet test run. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'runtime-test', level: 'debug', destination }) };
}

/** A BullMQ key prefix of its own for each test, so tests never see each other's jobs. */
export const uniquePrefix = (): string => `test-${randomUUID()}`;

export function inboundMessage(id: string, text = 'no tengo internet'): InboundMessageInput {
  const now = new Date().toISOString();
  return {
    id,
    correlationId: id,
    channel: 'cloud',
    chatId: '573001112233',
    from: '573001112233',
    text,
    type: 'text',
    sentAt: now,
    receivedAt: now,
  };
}

export { metricValue, waitFor } from '@helpline/testkit';
