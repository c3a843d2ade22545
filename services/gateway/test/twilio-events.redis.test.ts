import {
  CONVERSATION_STREAM_FIELD,
  type ConversationEvent,
  ConversationEvent as ConversationEventSchema,
  type InboundMessage,
  jobIds,
} from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis, waitFor } from '@helpline/testkit';
import { type FakeTwilio, startFakeTwilio, twilioInboundParams } from '@helpline/testkit/twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { API_TOKEN, testContext } from './support/harness.js';
import { freePort, twilioConfig, twilioOutbound, twilioRequest } from './support/twilio-harness.js';

// Twilio as the second channel, where its facts reach the rest of Helpline: a status
// callback of a message the gateway sent becomes the same `delivery_status` event as
// Meta's statuses, and an inbound message's media is served by GET /api/media.

const CUSTOMER = '573001234567';

let redis: TestRedis;
let fake: FakeTwilio;
const opened: Array<{ app: HttpApp; context: GatewayContext }> = [];

beforeAll(async () => {
  redis = await startTestRedis();
  fake = await startFakeTwilio({ callbackRetryMs: 50 });
});
afterEach(async () => {
  await fake.settled();
  fake.reset();
  for (const { app, context } of opened.splice(0)) {
    await app.close();
    await context.close();
  }
});
afterAll(async () => {
  await fake.close();
  await redis.stop();
});

/** Every event in the gateway's stream, parsed with the contract (a parse failure fails the test). */
async function events(context: GatewayContext): Promise<ConversationEvent[]> {
  const entries = await context.redis('producer').xrange(context.events.key, '-', '+');
  return entries.map(([, fields]) => {
    const at = fields.indexOf(CONVERSATION_STREAM_FIELD);
    return ConversationEventSchema.parse(JSON.parse(fields[at + 1] ?? ''));
  });
}
const statusesOf = (list: ConversationEvent[], providerMessageId: string) =>
  list.filter(
    (e): e is Extract<ConversationEvent, { type: 'delivery_status' }> =>
      e.type === 'delivery_status' && e.providerMessageId === providerMessageId,
  );

describe('Twilio status callbacks: delivery_status conversation events', () => {
  /**
   * A gateway listening on loopback with the worker running, its TWILIO_WEBHOOK_URL its own
   * address: the fake Twilio posts each sent message's status callbacks to it, signed.
   */
  async function listening() {
    const port = await freePort();
    const webhookUrl = `http://127.0.0.1:${port}/webhook/twilio`;
    const context = testContext(redis.url, twilioConfig(fake, { TWILIO_WEBHOOK_URL: webhookUrl }));
    const app = await buildApp(context);
    opened.push({ app, context });
    startWorkers(context);
    await app.listen({ port, host: '127.0.0.1' });
    await context.twilioWindow.touch(CUSTOMER, new Date());
    return { context, app, webhookUrl };
  }

  /** Sends through the outbound worker to the fake; the SID Twilio gave the message. */
  async function send(context: GatewayContext, correlationId: string) {
    const message = twilioOutbound({
      correlationId,
      to: CUSTOMER,
      content: { kind: 'text', body: 'Tu ticket es T-1' },
    });
    const jobId = jobIds.outbound(message.correlationId, message.purpose);
    await context.producers.outbound.add(message, { jobId, attempts: 1 });
    const sid = await waitFor(
      async () =>
        (await context.producers.outbound.queue.getJobState(jobId)) === 'completed'
          ? (fake.sent.find((m) => m.to === `whatsapp:+${CUSTOMER}`)?.sid ?? undefined)
          : undefined,
      20_000,
      `outbound job ${jobId} sent`,
    );
    return { jobId, sid };
  }

  it("Twilio's sent and delivered callbacks for a message the gateway sent: one event each, channel twilio", async () => {
    const { context } = await listening();
    const { jobId, sid } = await send(context, 'SM00000000000000000000000000000e01');
    await fake.settled();
    // The fake was answered 200 for each callback: the gateway took them.
    expect(fake.sent[0]?.callbacks).toEqual([
      { status: 'sent', delivered: true, attempts: 1 },
      { status: 'delivered', delivered: true, attempts: 1 },
    ]);
    const statuses = await waitFor(
      async () => {
        const found = statusesOf(await events(context), sid);
        return found.length >= 2 ? found : undefined;
      },
      5_000,
      'two delivery_status events',
    );
    expect(statuses.map((e) => e.status)).toEqual(['sent', 'delivered']);
    for (const event of statuses) {
      expect(event).toMatchObject({ channel: 'twilio', chatId: CUSTOMER, providerMessageId: sid });
      expect(event.messageId).toContain(jobId);
      expect(event.error).toBeUndefined();
    }
    expect(await context.deliveryStore.get(sid)).toMatchObject({ status: 'delivered', recipient: CUSTOMER });
  });

  it('a failed callback carries Twilio ErrorCode and ErrorMessage in the event', async () => {
    fake.addFault({ failLaterWith: 63016, times: 1 });
    const { context } = await listening();
    const { sid } = await send(context, 'SM00000000000000000000000000000e02');
    await fake.settled();
    expect(fake.sent[0]?.callbacks).toMatchObject([{ status: 'failed', delivered: true }]);
    const [failed, ...more] = statusesOf(await events(context), sid);
    expect(more).toEqual([]);
    expect(failed).toMatchObject({
      type: 'delivery_status',
      channel: 'twilio',
      chatId: CUSTOMER,
      providerMessageId: sid,
      status: 'failed',
      error: {
        code: 63016,
        title: 'Failed to send freeform message because you are outside the allowed window. Please use a Template.',
      },
    });
  });

  it('an undelivered callback (signed by the twilio library) is a failed event with its ErrorCode, once', async () => {
    const { context, app, webhookUrl } = await listening();
    const { jobId, sid } = await send(context, 'SM00000000000000000000000000000e03');
    await fake.settled();
    const path = `/webhook/twilio/status?job=${jobId}`;
    const undelivered = twilioRequest(
      [
        ['MessageSid', sid],
        ['SmsSid', sid],
        ['MessageStatus', 'undelivered'],
        ['SmsStatus', 'undelivered'],
        ['AccountSid', fake.accountSid],
        ['To', `whatsapp:+${CUSTOMER}`],
        ['From', `whatsapp:${fake.whatsappNumber}`],
        ['ChannelToAddress', `+${CUSTOMER}`],
        ['ChannelPrefix', 'whatsapp'],
        ['ApiVersion', '2010-04-01'],
        ['ErrorCode', '63024'],
        ['ErrorMessage', 'Invalid message recipient'],
      ],
      { path, authToken: fake.authToken, signedUrl: `${webhookUrl}/status?job=${jobId}` },
    );
    const res = await app.inject(undelivered);
    expect(res.statusCode, res.body).toBe(200);
    // Twilio offers a callback again when unsure: the second adds nothing.
    expect((await app.inject(undelivered)).statusCode).toBe(200);
    const list = statusesOf(await events(context), sid);
    expect(list.map((e) => e.status)).toEqual(['sent', 'delivered', 'failed']);
    expect(list.at(-1)).toMatchObject({
      channel: 'twilio',
      chatId: CUSTOMER,
      status: 'failed',
      error: { code: 63024, title: 'Invalid message recipient' },
    });
    expect(await context.deliveryStore.get(sid)).toMatchObject({
      status: 'failed',
      errorCode: 63024,
      errorTitle: 'Invalid message recipient',
    });
    // An unsigned copy is refused and records nothing.
    const forged = await app.inject({
      ...undelivered,
      headers: { 'content-type': undelivered.headers['content-type'] },
    });
    expect(forged.statusCode).toBe(403);
    expect(statusesOf(await events(context), sid)).toHaveLength(3);
  });
});

describe('GET /api/media/:mediaId?channel=twilio', () => {
  const auth = { authorization: `Bearer ${API_TOKEN}` };

  async function gateway(env: Record<string, string> = {}) {
    const context = testContext(redis.url, twilioConfig(fake, env));
    const app = await buildApp(context);
    opened.push({ app, context });
    return { context, app };
  }

  /** An inbound image through the signed webhook; the media id the stored message carries. */
  async function inboundImage(context: GatewayContext, app: HttpApp, bytes: Buffer, contentType: string) {
    const { url, messageSid, mediaSid } = fake.addMedia(contentType, bytes);
    const params = twilioInboundParams({
      accountSid: fake.accountSid,
      from: CUSTOMER,
      to: fake.whatsappNumber,
      body: 'la luz del router',
      extra: { MessageType: 'image', NumMedia: '1', MediaUrl0: url, MediaContentType0: contentType },
    });
    const res = await app.inject(twilioRequest(params, { authToken: fake.authToken }));
    expect(res.statusCode, res.body).toBe(200);
    const sid = params.find(([n]) => n === 'MessageSid')?.[1] ?? '';
    const stored = (await context.producers.inbound.queue.getJob(sid))?.data as InboundMessage | undefined;
    expect(stored?.media).toMatchObject({ id: `${messageSid}-${mediaSid}`, mimeType: contentType });
    return stored?.media?.id ?? '';
  }

  it("serves the bytes of an inbound message's media with its content type, with the account's credentials", async () => {
    const { context, app } = await gateway();
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const mediaId = await inboundImage(context, app, bytes, 'image/jpeg');
    const res = await app.inject({ method: 'GET', url: `/api/media/${mediaId}?channel=twilio`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.rawPayload.equals(bytes)).toBe(true);
    const mediaRequest = fake.requests.find((r) => r.path.includes('/Media/'));
    expect(mediaRequest?.authorization).toBe(
      `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
    );
    // Without the operator token: refused, and Twilio is not asked.
    const before = fake.requests.length;
    const anonymous = await app.inject({ method: 'GET', url: `/api/media/${mediaId}?channel=twilio` });
    expect(anonymous.statusCode).toBe(401);
    expect(fake.requests).toHaveLength(before);
  });

  it('past MEDIA_MAX_BYTES: 413 naming the limit', async () => {
    const { context, app } = await gateway({ MEDIA_MAX_BYTES: '4096' });
    const mediaId = await inboundImage(context, app, Buffer.alloc(5000, 7), 'image/png');
    const res = await app.inject({ method: 'GET', url: `/api/media/${mediaId}?channel=twilio`, headers: auth });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'media_too_large' });
    expect(res.json().message).toContain('4096');
    // The same file under the limit is served: the 413 is the limit's doing.
    const { context: roomy, app: roomyApp } = await gateway({ MEDIA_MAX_BYTES: '8192' });
    const served = await roomyApp.inject({
      method: 'GET',
      url: `/api/media/${mediaId}?channel=twilio`,
      headers: auth,
    });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.length).toBe(5000);
    expect(roomy.mediaSources.twilio).toBeDefined();
  });

  it('an id Twilio does not know is a 404; so is one that is not a Twilio media id', async () => {
    const { context, app } = await gateway();
    const known = await inboundImage(context, app, Buffer.from('known'), 'image/jpeg');
    const unknown = `${known.split('-')[0]}-ME${'0'.repeat(32)}`;
    const res = await app.inject({ method: 'GET', url: `/api/media/${unknown}?channel=twilio`, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'media_not_found' });
    expect(fake.requests.some((r) => r.path.endsWith(`/Media/ME${'0'.repeat(32)}`) && r.outcome === 404)).toBe(true);
    const garbled = await app.inject({ method: 'GET', url: '/api/media/ME123?channel=twilio', headers: auth });
    expect(garbled.statusCode).toBe(404);
    expect(garbled.json()).toMatchObject({ error: 'media_not_found' });
  });
});
