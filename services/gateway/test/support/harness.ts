import { once } from 'node:events';
import { createServer } from 'node:net';
import { createLogger, type HttpApp, type Logger, whenReady } from '@helpline/runtime';
import { startTestRedis, uniqueQueueName } from '@helpline/testkit';
import { buildApp } from '../../src/app.js';
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

/**
 * A gateway whose Redis goes away: it starts on a redis-server of its own (`make` builds
 * the context on that URL), waits for the producer connection, then the server stops and
 * its port is held, answering nothing, so that no other test's redis-server can take it
 * and make the stopped Redis answer again. `check` then sees the app; all is closed after.
 */
export async function withRedisDown(
  make: (redisUrl: string) => GatewayContext,
  check: (app: HttpApp, context: GatewayContext) => Promise<void>,
): Promise<void> {
  const doomed = await startTestRedis({ spawn: true });
  const blocker = createServer((socket) => socket.destroy());
  const context = make(doomed.url);
  const app = await buildApp(context);
  try {
    await whenReady(context.redis('producer'), 5_000);
    await doomed.stop();
    blocker.listen(doomed.port, '127.0.0.1');
    await once(blocker, 'listening');
    await check(app, context);
  } finally {
    await app.close();
    await context.close();
    await doomed.stop();
    blocker.close();
  }
}
