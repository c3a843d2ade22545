import { randomUUID } from 'node:crypto';
import type { TicketRequestInput } from '@helpline/contracts';
import { createLogger, loadConfig } from '@helpline/runtime';
import type { FakeZoho } from '@helpline/testkit/zoho';
import { type TicketsConfig, ticketsConfigSchema } from '../../src/config.js';
import { createContext, type TicketsContext, type TicketsContextOverrides } from '../../src/context.js';

export const API_TOKEN = 'test-operator-token-0123456789';

export const silentLogger = () => createLogger({ name: 'tickets-test', level: 'silent' });

/** A unique BullMQ prefix and key prefix per test, so tests sharing a Redis never meet. */
export const uniquePrefix = (): string => `t-${randomUUID().slice(0, 8)}`;

export function testConfig(env: Record<string, string>): TicketsConfig {
  return loadConfig(ticketsConfigSchema, { env: { API_TOKEN, LOG_LEVEL: 'silent', ...env }, envFile: false });
}

export function zohoEnv(zoho: FakeZoho, redisUrl: string): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    ZOHO_CLIENT_ID: zoho.clientId,
    ZOHO_CLIENT_SECRET: zoho.clientSecret,
    ZOHO_REFRESH_TOKEN: zoho.refreshToken,
    ZOHO_ORG_ID: zoho.orgId,
    ZOHO_DEPARTMENT_ID: zoho.departments[0]!.id,
    ZOHO_ACCOUNTS_URL: zoho.accountsUrl,
    ZOHO_DESK_URL: zoho.deskUrl,
  };
}

/** Short deadlines and backoff so a test sees many retry periods in a few seconds. */
export const FAST: TicketsContextOverrides = {
  crmDeadlineMs: 1_000,
  syncDeadlineMs: 2_000,
  retry: { baseDelayMs: 40, maxDelayMs: 200, jitter: 0.3 },
  breaker: { volumeThreshold: 3, resetTimeoutMs: 150 },
};

/** Contexts opened by a test file, closed after each test. */
export class Contexts {
  private readonly open: TicketsContext[] = [];

  create(config: TicketsConfig, overrides: TicketsContextOverrides): TicketsContext {
    const context = createContext(config, { logger: silentLogger(), ...overrides });
    this.open.push(context);
    return context;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => c.close()));
  }
}

let counter = 0;
export function ticketRequest(overrides: Partial<TicketRequestInput> = {}): TicketRequestInput {
  counter += 1;
  const correlationId = overrides.correlationId ?? `wamid.${randomUUID()}`;
  return {
    idempotencyKey: `key-${correlationId}`,
    correlationId,
    subject: `Sin internet desde ayer ${counter}`,
    description: 'El cliente reporta que no tiene servicio.',
    priority: 'high',
    category: 'connectivity',
    contact: { phone: '+573001112233', name: 'Ana María Pérez' },
    channel: 'cloud',
    replyTo: { channel: 'cloud', chatId: '573001112233', language: 'es' },
    ...overrides,
  };
}

export { metricValue, waitFor } from '@helpline/testkit';
