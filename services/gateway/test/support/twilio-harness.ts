import type { OutboundMessage, OutboundMessageInput } from '@helpline/contracts';
import type { FakeTwilio } from '@helpline/testkit/twilio';
import twilio from 'twilio';
import type { GatewayConfig } from '../../src/config.js';
import { outbound } from './cloud-harness.js';
import { testConfig } from './harness.js';

export const TWILIO_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const TWILIO_AUTH_TOKEN = 'twilio-test-auth-token-0123456789';
export const TWILIO_NUMBER = '+15550100000';
/** The public URL Twilio is told to call: a proxy's, not the address the gateway listens on. */
export const PUBLIC_TWILIO_URL = 'https://helpline.example.com/webhook/twilio';

/** A gateway config with Twilio on: the fake's API URL when one is given. */
export function twilioConfig(fake?: FakeTwilio, env: Record<string, string | undefined> = {}): GatewayConfig {
  return testConfig({
    TWILIO_ACCOUNT_SID: fake?.accountSid ?? TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: fake?.authToken ?? TWILIO_AUTH_TOKEN,
    TWILIO_WHATSAPP_NUMBER: fake?.whatsappNumber ?? TWILIO_NUMBER,
    TWILIO_WEBHOOK_URL: PUBLIC_TWILIO_URL,
    ...(fake ? { TWILIO_API_URL: fake.url } : {}),
    ...env,
  });
}

export { freePort } from '@helpline/testkit';

/**
 * `app.inject` options for a Twilio webhook, signed by the `twilio` library itself (the
 * independent check of the gateway's algorithm) over `signedUrl`.
 */
export function twilioRequest(
  params: ReadonlyArray<readonly [string, string]>,
  options: { path?: string; signedUrl?: string; authToken?: string; signature?: string | null } = {},
) {
  const path = options.path ?? '/webhook/twilio';
  const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  const signedUrl =
    options.signedUrl ?? `${PUBLIC_TWILIO_URL}${path.startsWith('/webhook/twilio/status') ? '/status' : ''}${query}`;
  const signature =
    options.signature === undefined
      ? twilio.getExpectedTwilioSignature(options.authToken ?? TWILIO_AUTH_TOKEN, signedUrl, Object.fromEntries(params))
      : options.signature;
  return {
    method: 'POST' as const,
    url: path,
    payload: new URLSearchParams(params.map(([n, v]): [string, string] => [n, v])).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature !== null ? { 'x-twilio-signature': signature } : {}),
    },
  };
}

/** An outbound message on the Twilio channel (defaults as `outbound`'s, with a Twilio id and number). */
export function twilioOutbound(
  input: Partial<OutboundMessageInput> & Pick<OutboundMessageInput, 'content'>,
): OutboundMessage {
  return outbound({
    correlationId: 'SM00000000000000000000000000000001',
    channel: 'twilio',
    to: '573001234567',
    ...input,
  });
}
