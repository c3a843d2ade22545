import { createHash } from 'node:crypto';
import type { InboundMessage } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { metricValue, startTestRedis, type TestRedis } from '@helpline/testkit';
import { twilioInboundParams } from '@helpline/testkit/twilio';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { readyTestContext, testConfig, testContext, withRedisDown } from './support/harness.js';
import {
  PUBLIC_TWILIO_URL,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  twilioConfig,
  twilioRequest,
} from './support/twilio-harness.js';

let redis: TestRedis;
let context: GatewayContext;
let app: HttpApp;

beforeAll(async () => {
  redis = await startTestRedis();
});
beforeEach(async () => {
  context = await readyTestContext(redis.url, twilioConfig());
  app = await buildApp(context);
});
afterEach(async () => {
  await app.close();
  await context.close();
});
afterAll(async () => {
  await redis.stop();
});

const CUSTOMER = '573001234567';
const inbound = (extra: Record<string, string> = {}, messageSid?: string) =>
  twilioInboundParams({
    accountSid: TWILIO_ACCOUNT_SID,
    from: CUSTOMER,
    to: '+15550100000',
    body: extra.Body ?? 'no tengo internet',
    ...(messageSid ? { messageSid } : {}),
    extra,
  });
const sidOf = (params: Array<[string, string]>) => params.find(([n]) => n === 'MessageSid')?.[1] ?? '';

async function stored(id: string): Promise<InboundMessage | undefined> {
  return (await context.producers.inbound.queue.getJob(id))?.data as InboundMessage | undefined;
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await context.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('POST /webhook/twilio: the signature', () => {
  it('accepts a request the twilio library signed over TWILIO_WEBHOOK_URL, answers empty TwiML once stored', async () => {
    const params = inbound();
    const res = await app.inject(twilioRequest(params));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toContain('<Response></Response>');
    expect(await stored(sidOf(params))).toMatchObject({
      id: sidOf(params),
      channel: 'twilio',
      chatId: CUSTOMER,
      from: CUSTOMER,
      senderPhone: CUSTOMER,
      senderName: 'Cliente',
      text: 'no tengo internet',
      type: 'text',
    });
  });

  it.each([
    ['no signature', { signature: null }],
    ['a signature with another auth token', { authToken: 'another-auth-token-000000' }],
    // What the gateway sees behind the proxy is not what Twilio signed.
    ['a signature over the address the gateway listens on', { signedUrl: 'http://127.0.0.1:3001/webhook/twilio' }],
    ['a garbled signature', { signature: 'bm90IGEgc2lnbmF0dXJl' }],
  ])('refuses %s with 403 and counts it', async (_name, options) => {
    const before = await metric('helpline_webhook_events_total', 'outcome="invalid_signature"');
    const params = inbound();
    const res = await app.inject(twilioRequest(params, options));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'invalid_signature' });
    expect(await metric('helpline_webhook_events_total', 'outcome="invalid_signature"')).toBe(before + 1);
    expect(await stored(sidOf(params))).toBeUndefined();
  });

  it('refuses a body changed after signing (one parameter added)', async () => {
    const params = inbound();
    const request = twilioRequest(params);
    const res = await app.inject({ ...request, payload: `${request.payload}&Body2=x` });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a well-signed request of another account (AccountSid) with 403', async () => {
    const params = inbound({ AccountSid: 'ACffffffffffffffffffffffffffffffff' });
    const res = await app.inject(twilioRequest(params));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'wrong_account' });
    expect(await stored(sidOf(params))).toBeUndefined();
  });

  it('accepts a JSON body signed with bodySHA256, as Twilio signs non-form bodies', async () => {
    const params = Object.fromEntries(inbound());
    const body = JSON.stringify(params);
    const hash = createHash('sha256').update(body).digest('hex');
    const signedUrl = `${PUBLIC_TWILIO_URL}?bodySHA256=${hash}`;
    const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, signedUrl, {});
    expect(twilio.validateRequestWithBody(TWILIO_AUTH_TOKEN, signature, signedUrl, body)).toBe(true);
    const res = await app.inject({
      method: 'POST',
      url: `/webhook/twilio?bodySHA256=${hash}`,
      payload: body,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
    });
    expect(res.statusCode).toBe(200);
    expect(await stored(params.MessageSid ?? '')).toMatchObject({ channel: 'twilio', text: 'no tengo internet' });
    // The same signature over another body: refused.
    const changed = await app.inject({
      method: 'POST',
      url: `/webhook/twilio?bodySHA256=${hash}`,
      payload: body.replace('internet', 'Internet'),
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
    });
    expect(changed.statusCode).toBe(403);
  });

  it('answers 503 naming the variables while TWILIO_AUTH_TOKEN or TWILIO_WEBHOOK_URL is unset', async () => {
    const ctx = testContext(redis.url, testConfig());
    const bare = await buildApp(ctx);
    try {
      const res = await bare.inject(twilioRequest(inbound()));
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toMatch(/TWILIO_AUTH_TOKEN and TWILIO_WEBHOOK_URL/);
    } finally {
      await bare.close();
      await ctx.close();
    }
  });

  it('refuses another content type with 415 before anything else', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/webhook/twilio',
      payload: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(415);
  });
});

describe('POST /webhook/twilio: the message', () => {
  it('stores a redelivered MessageSid once', async () => {
    const params = inbound();
    expect((await app.inject(twilioRequest(params))).statusCode).toBe(200);
    expect((await app.inject(twilioRequest(params))).statusCode).toBe(200);
    expect(await metric('helpline_webhook_events_total', 'outcome="duplicate"')).toBe(1);
    expect(await context.producers.inbound.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('normalises media (first attachment; Body as caption), replies, forwards and referrals', async () => {
    const params = inbound({
      Body: 'así llega la luz del router',
      MessageType: 'image',
      NumMedia: '2',
      MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages/MM0123456789abcdef0123456789abcdef/Media/ME0123456789abcdef0123456789abcdef`,
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1',
      MediaContentType1: 'image/png',
      OriginalRepliedMessageSid: 'SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      OriginalRepliedMessageSender: 'whatsapp:+15550100000',
      Forwarded: 'true',
      ReferralSourceUrl: 'https://fb.me/ad',
      ReferralSourceType: 'ad',
      ReferralSourceId: '1203',
      ReferralHeadline: 'Fibra 300',
      ReferralBody: 'Escríbenos',
      ReferralCtwaClid: 'ctwa-1',
      ReferralMediaId: 'M1',
    });
    await app.inject(twilioRequest(params));
    const message = await stored(sidOf(params));
    expect(message).toMatchObject({
      type: 'image',
      rawType: 'image',
      text: 'así llega la luz del router',
      media: {
        id: 'MM0123456789abcdef0123456789abcdef-ME0123456789abcdef0123456789abcdef',
        mimeType: 'image/jpeg',
        caption: 'así llega la luz del router',
      },
      replyTo: 'SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      forwarded: true,
      referral: {
        sourceUrl: 'https://fb.me/ad',
        sourceType: 'ad',
        sourceId: '1203',
        headline: 'Fibra 300',
        body: 'Escríbenos',
        ctwaClid: 'ctwa-1',
      },
    });
    // What is not mapped is carried: the second attachment, the replied sender, the ad's media.
    expect(message?.channelFields).toMatchObject({
      MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1',
      MediaContentType1: 'image/png',
      OriginalRepliedMessageSender: 'whatsapp:+15550100000',
      ReferralMediaId: 'M1',
    });
  });

  it('normalises a shared location, a template button and a list choice', async () => {
    const location = inbound({
      Body: '',
      MessageType: 'location',
      Latitude: '4.6097',
      Longitude: '-74.0817',
      Label: 'Casa',
      Address: 'Cra 7 # 1-2',
    });
    const button = inbound({ Body: 'Sí', MessageType: 'button', ButtonText: 'Sí', ButtonPayload: 'consent.accept.1' });
    const list = inbound({
      Body: 'Facturación',
      MessageType: 'interactive',
      ListId: 'menu.billing',
      ListTitle: 'Facturación',
    });
    for (const p of [location, button, list]) expect((await app.inject(twilioRequest(p))).statusCode).toBe(200);
    expect(await stored(sidOf(location))).toMatchObject({
      type: 'location',
      text: 'Casa, Cra 7 # 1-2',
      location: { latitude: 4.6097, longitude: -74.0817, name: 'Casa', address: 'Cra 7 # 1-2' },
    });
    expect(await stored(sidOf(button))).toMatchObject({
      type: 'button',
      reply: { kind: 'quick_reply', id: 'consent.accept.1', title: 'Sí' },
    });
    expect(await stored(sidOf(list))).toMatchObject({
      type: 'interactive',
      reply: { kind: 'list_reply', id: 'menu.billing', title: 'Facturación' },
    });
  });

  it('carries a type and fields it does not know, and never fails on odd values', async () => {
    const params = inbound({
      MessageType: 'poll',
      NumMedia: 'many',
      Latitude: 'north',
      PollQuestion: '¿?',
      ChannelMetadata: '{"type":"whatsapp"}',
    });
    expect((await app.inject(twilioRequest(params))).statusCode).toBe(200);
    const message = await stored(sidOf(params));
    expect(message).toMatchObject({
      type: 'unknown',
      rawType: 'poll',
      channelFields: { PollQuestion: '¿?', ChannelMetadata: '{"type":"whatsapp"}' },
    });
    expect(message?.location).toBeUndefined();
  });

  it('keeps a well-signed message with no MessageSid for an operator and answers 200', async () => {
    const params = inbound().filter(([n]) => !['MessageSid', 'SmsSid', 'SmsMessageSid'].includes(n));
    const res = await app.inject(twilioRequest(params));
    expect(res.statusCode).toBe(200);
    const { total, items } = await context.refusedMessages.list(0, 10);
    expect(total).toBe(1);
    expect(items[0]?.reason).toMatch(/MessageSid/);
  });
});

describe('POST /webhook/twilio/status: status callbacks', () => {
  const status = (
    messageSid: string,
    messageStatus: string,
    extra: Array<[string, string]> = [],
  ): Array<[string, string]> => [
    ['MessageSid', messageSid],
    ['MessageStatus', messageStatus],
    ['AccountSid', TWILIO_ACCOUNT_SID],
    ['To', `whatsapp:+${CUSTOMER}`],
    ['From', 'whatsapp:+15550100000'],
    ['ChannelToAddress', `+${CUSTOMER}`],
    ['ChannelPrefix', 'whatsapp'],
    ['ApiVersion', '2010-04-01'],
    ...extra,
  ];

  it('moves the delivery state forward only, records a failure code, and marks the outbound job sent', async () => {
    const sid = 'SM1111111111111111111111111111111a';
    const jobId = 'SMin-ack';
    const path = `/webhook/twilio/status?job=${jobId}`;
    expect((await app.inject(twilioRequest(status(sid, 'queued'), { path }))).statusCode).toBe(200);
    // Queued: Twilio holds the message; the job must not be sent again.
    expect(await context.redis('producer').get(`${context.prefix}:gateway:outbound:send:${jobId}`)).toBe(`sent:${sid}`);
    for (const s of ['read', 'delivered', 'sent']) {
      expect((await app.inject(twilioRequest(status(sid, s), { path }))).statusCode).toBe(200);
    }
    expect(await context.deliveryStore.get(sid)).toMatchObject({ status: 'read', recipient: CUSTOMER });
    const failed = 'SM2222222222222222222222222222222b';
    await app.inject(
      twilioRequest(
        status(failed, 'undelivered', [
          ['ErrorCode', '63024'],
          ['ErrorMessage', 'Invalid message recipient'],
        ]),
        {
          path: '/webhook/twilio/status',
        },
      ),
    );
    expect(await context.deliveryStore.get(failed)).toMatchObject({ status: 'failed', errorCode: 63024 });
    expect(await metric('helpline_delivery_failures_total', 'code="63024"')).toBe(1);
  });

  it('refuses a status callback signed over the wrong URL (the job id is part of what is signed)', async () => {
    const params = status('SM3333333333333333333333333333333c', 'sent');
    const res = await app.inject(
      twilioRequest(params, {
        path: '/webhook/twilio/status?job=other-ack',
        signedUrl: `${PUBLIC_TWILIO_URL}/status?job=SMin-ack`,
      }),
    );
    expect(res.statusCode).toBe(403);
  });
});

describe('POST /webhook/twilio with Redis down', () => {
  it('answers 503 so that Twilio tries again, and acknowledges nothing', async () => {
    await withRedisDown(
      (url) => testContext(url, twilioConfig(), { addTimeoutMs: 500 }),
      async (down, context) => {
        const res = await down.inject(twilioRequest(inbound()));
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ error: 'unavailable' });
        const metrics = await context.metrics.registry.metrics();
        expect(metricValue(metrics, 'helpline_webhook_events_total', { outcome: 'unavailable' })).toBe(1);
      },
    );
  });
});
