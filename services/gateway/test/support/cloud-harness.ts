import type { OutboundMessage, OutboundMessageInput } from '@helpline/contracts';
import { OutboundMessage as OutboundSchema } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeGraphApi, startFakeGraphApi } from '@helpline/testkit/meta-graph';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { GatewayConfig } from '../../src/config.js';
import type { GatewayContext } from '../../src/context.js';
import { PHONE_NUMBER_ID, testConfig, testContext } from './harness.js';

export const ACCESS_TOKEN = 'EAAG-test-access-token';

export async function startGraph(): Promise<FakeGraphApi> {
  return startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
}

export function cloudConfig(graph: FakeGraphApi, env: Record<string, string | undefined> = {}): GatewayConfig {
  return testConfig({
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    GRAPH_API_URL: graph.url,
    WHATSAPP_WINDOW_TEMPLATE: 'seguimiento:es_AR',
    ...env,
  });
}

/** A valid outbound message (parsed as a worker parses it): an ack to a Cloud API chat unless `input` says otherwise. */
export function outbound(
  input: Partial<OutboundMessageInput> & Pick<OutboundMessageInput, 'content'>,
): OutboundMessage {
  return OutboundSchema.parse({
    correlationId: 'wamid.IN1',
    purpose: 'ack',
    channel: 'cloud',
    to: '5491155550000',
    ...input,
  });
}

export interface CloudTestBed {
  /** The file's redis-server. */
  readonly redis: TestRedis;
  /** The file's fake Graph API; reset after each test. */
  readonly graph: FakeGraphApi;
  /** A gateway (context and app) on the Cloud API channel, closed after the test. */
  gateway(config?: GatewayConfig): Promise<{ app: HttpApp; context: GatewayContext }>;
}

/**
 * The set-up the Cloud API channel's test files share, instead of a copy in each: one
 * redis-server and one fake Graph API per file; after each test the fake is reset and the
 * gateways the test made are closed. Call at the top of the file.
 */
export function cloudTestBed(): CloudTestBed {
  let redis: TestRedis | undefined;
  let graph: FakeGraphApi | undefined;
  const opened: Array<{ app: HttpApp; context: GatewayContext }> = [];
  beforeAll(async () => {
    redis = await startTestRedis();
    graph = await startGraph();
  });
  afterEach(async () => {
    graph?.reset();
    for (const { app, context } of opened.splice(0)) {
      await app.close();
      await context.close();
    }
  });
  afterAll(async () => {
    await graph?.close();
    await redis?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test bed starts before the first test');
    return value;
  };
  return {
    get redis() {
      return started(redis);
    },
    get graph() {
      return started(graph);
    },
    async gateway(config) {
      const context = testContext(started(redis).url, config ?? cloudConfig(started(graph)));
      const app = await buildApp(context);
      opened.push({ app, context });
      return { app, context };
    },
  };
}
