import { createLogger, type Logger, whenReady } from '@helpline/runtime';
import { uniqueQueueName } from '@helpline/testkit';
import { type GatewayConfig, parseGatewayConfig } from '../../src/config.js';
import { createContext, type GatewayContext, type GatewayContextOverrides } from '../../src/context.js';

export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'verify-me';
export const API_TOKEN = 'operator-token-0123456789';
export const PHONE_NUMBER_ID = '106540352242922';

export function quietLogger(): Logger {
  return createLogger({ name: 'gateway-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

/** A gateway config for tests: secrets set, the Graph API pointed wherever the test says. */
export function testConfig(env: Record<string, string | undefined> = {}): GatewayConfig {
  return parseGatewayConfig({
    META_APP_SECRET: APP_SECRET,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
    API_TOKEN,
    // The placeholder answers these tests were written against; accounts tests turn it on.
    ACCOUNTS_ENABLED: 'false',
    ...env,
  });
}

/**
 * The sink override that skips the conversation (its consent gate, menu and handoff): the
 * Cloud API channel's own tests see the plain enqueuer behind the webhook.
 */
export const skipConsent: NonNullable<GatewayContextOverrides['sink']> = ({ enqueue }) => enqueue;

export interface TestContextOverrides extends GatewayContextOverrides {
  /**
   * Pass inbound messages through the conversation (consent gate first). Off by default:
   * most gateway tests are about the bare channel and use `skipConsent`.
   */
  consent?: boolean;
}

/** A context on the test Redis with a prefix no other test uses. */
/**
 * A context whose producer connection answers before the first request: the producer
 * connection refuses commands while it connects (no offline queue, on purpose: a webhook
 * must get 503 rather than wait), so a test that posts at once on a busy machine would
 * otherwise see a 503 that production would also give, and Meta or Twilio would retry.
 */
export async function readyTestContext(...args: Parameters<typeof testContext>): Promise<GatewayContext> {
  const context = testContext(...args);
  await whenReady(context.redis('producer'), 10_000);
  return context;
}

export function testContext(
  redisUrl: string,
  config: GatewayConfig = testConfig(),
  { consent = false, ...overrides }: TestContextOverrides = {},
): GatewayContext {
  return createContext(config, {
    redisUrl,
    prefix: uniqueQueueName('gw'),
    logger: quietLogger(),
    ...(consent ? {} : { sink: skipConsent }),
    ...overrides,
  });
}
