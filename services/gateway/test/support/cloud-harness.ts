import type { OutboundMessage, OutboundMessageInput } from '@helpline/contracts';
import { OutboundMessage as OutboundSchema } from '@helpline/contracts';
import { type FakeGraphApi, startFakeGraphApi } from '@helpline/testkit/meta-graph';
import type { GatewayConfig } from '../../src/config.js';
import { PHONE_NUMBER_ID, testConfig } from './harness.js';

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
