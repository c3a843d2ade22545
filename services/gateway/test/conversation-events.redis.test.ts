import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CONVERSATION_STREAM_FIELD,
  type ConversationEvent,
  ConversationEvent as ConversationEventSchema,
  jobIds,
} from '@helpline/contracts';
import { createProducer, type HttpApp } from '@helpline/runtime';
import { waitFor } from '@helpline/testkit';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { API_TOKEN, PHONE_NUMBER_ID, testConfig, testContext } from './support/harness.js';
import { ACCESS_TOKEN, cloudTestBed } from './support/cloud-harness.js';
import { countCommands, tally } from './support/command-counter.js';
import { messagesChange, signedWebhook } from './support/meta-webhooks.js';

// The conversation's facts as the desk will read them: the real gateway (signed webhooks,
// the conversation, the outbound worker, the fake Graph API) and the stream in a real Redis.

const CUSTOMER = '573001112233';

const bed = cloudTestBed();
let context: GatewayContext;
let app: HttpApp;
let sequence = 0;

beforeEach(async () => {
  bed.graph.reset();
  const config = testConfig({
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    GRAPH_API_URL: bed.graph.url,
  });
  context = testContext(bed.redis.url, config, { consent: true });
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  app = await buildApp(context);
  startWorkers(context);
});
afterEach(async () => {
  await app.close();
  await context.close();
});

const nextId = () => `wamid.EVT${Date.now().toString(36).toUpperCase()}${++sequence}`;

async function post(value: Record<string, unknown>): Promise<void> {
  const res = await app.inject(signedWebhook(messagesChange(value)));
  expect(res.statusCode, res.body).toBe(200);
}
const nowSeconds = () => String(Math.floor(Date.now() / 1000));
async function text(body: string, id = nextId()): Promise<string> {
  await post({
    contacts: [{ profile: { name: 'Ana Cliente' }, wa_id: CUSTOMER }],
    messages: [{ from: CUSTOMER, id, timestamp: nowSeconds(), type: 'text', text: { body } }],
  });
  return id;
}
async function button(replyId: string, title: string): Promise<string> {
  const id = nextId();
  await post({
    contacts: [{ profile: { name: 'Ana Cliente' }, wa_id: CUSTOMER }],
    messages: [
      {
        from: CUSTOMER,
        id,
        timestamp: nowSeconds(),
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: replyId, title } },
      },
    ],
  });
  return id;
}
const status = (id: string, value: string, errors?: unknown[]) =>
  post({
    statuses: [{ id, status: value, timestamp: nowSeconds(), recipient_id: CUSTOMER, ...(errors ? { errors } : {}) }],
  });

async function drained(): Promise<void> {
  await waitFor(async () => {
    const counts = await context.producers.outbound.queue.getJobCounts('waiting', 'active', 'delayed');
    return Object.values(counts).every((n) => n === 0);
  });
}

/** Every event in the stream, parsed with the contract (a parse failure fails the test). */
async function events(): Promise<ConversationEvent[]> {
  const entries = await context.redis('producer').xrange(context.events.key, '-', '+');
  return entries.map(([, fields]) => {
    const at = fields.indexOf(CONVERSATION_STREAM_FIELD);
    return ConversationEventSchema.parse(JSON.parse(fields[at + 1] ?? ''));
  });
}
const ofType = <T extends ConversationEvent['type']>(list: ConversationEvent[], type: T) =>
  list.filter((e): e is Extract<ConversationEvent, { type: T }> => e.type === type);

describe('conversation events', () => {
  test('consent, messages both ways, statuses, handoff and erasure: one event per fact, none twice', async () => {
    await text('hola');
    await drained();
    // Before consent nothing is kept: no event either.
    expect(await events()).toEqual([]);

    const acceptId = await button('consent.accept.1', 'Acepto');
    await drained();
    let list = await events();
    const [given] = ofType(list, 'consent');
    expect(given).toMatchObject({ decision: 'given', noticeVersion: '1', messageId: acceptId, chatId: CUSTOMER });
    expect(given?.noticeText).toContain('Ley 1581 de 2012');
    expect(given?.noticeText).toContain('[Acepto]');
    expect(ofType(list, 'message_received').map((e) => e.message.id)).toEqual([acceptId]);
    expect(ofType(list, 'message_sent').map((e) => e.message.purpose)).toEqual(['menu']);

    // A free text, and the classifier's acknowledgement carrying its classification.
    const question = await text('no tengo internet desde ayer');
    await context.producers.outbound.add(
      {
        correlationId: question,
        purpose: 'ack',
        channel: 'cloud',
        to: CUSTOMER,
        content: { kind: 'text', body: 'Revisamos tu conexión' },
        meta: {
          classification: {
            category: 'connectivity',
            priority: 'high',
            needsTicket: true,
            summary: 'Sin internet',
            language: 'es',
            confidence: 0.9,
            source: 'keywords',
          },
        },
      },
      { jobId: jobIds.outbound(question, 'ack') },
    );
    await drained();
    list = await events();
    const ack = ofType(list, 'message_sent').find((e) => e.message.purpose === 'ack');
    expect(ack?.message).toMatchObject({ correlationId: question, text: 'Revisamos tu conexión' });
    expect(ack?.message.classification?.category).toBe('connectivity');
    const wamid = ack?.message.providerMessageId ?? '';
    expect(wamid).not.toBe('');

    // Statuses: each new one once; a repeated or older one adds nothing.
    await status(wamid, 'delivered');
    await status(wamid, 'delivered');
    await status(wamid, 'read');
    await status(wamid, 'delivered');
    list = await events();
    expect(ofType(list, 'delivery_status').map((e) => e.status)).toEqual(['delivered', 'read']);

    // A redelivered message is one event.
    await text('no tengo internet desde ayer', question);
    expect(ofType(await events(), 'message_received').filter((e) => e.message.id === question)).toHaveLength(1);

    // Handoff by the customer, resumed by staff.
    await text('agente');
    await drained();
    const resume = await app.inject({
      method: 'POST',
      url: `/api/conversations/${CUSTOMER}/resume`,
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(resume.statusCode).toBe(200);
    list = await events();
    expect(ofType(list, 'handoff_started')).toMatchObject([{ reason: 'customer' }]);
    expect(ofType(list, 'handoff_ended')).toMatchObject([{ reason: 'staff' }]);

    // A decline after consent is a withdrawal.
    const declineId = await button('consent.decline', 'No acepto');
    await drained();
    list = await events();
    expect(ofType(list, 'consent').map((e) => [e.decision, e.messageId])).toEqual([
      ['given', acceptId],
      ['withdrawn', declineId],
    ]);
    expect(ofType(list, 'consent')[1]?.noticeSha256).toBe(given?.noticeSha256);

    const erase = await app.inject({
      method: 'DELETE',
      url: `/api/conversations/${CUSTOMER}`,
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(erase.statusCode).toBe(200);
    list = await events();
    expect(list.at(-1)).toMatchObject({ type: 'chat_erased', chatId: CUSTOMER });
    // Every id once.
    expect(new Set(list.map((e) => e.id)).size).toBe(list.length);
  });

  test('staff close: a chat_closed event; the next words are greeted with the menu, not classified', async () => {
    await text('hola');
    await drained();
    await button('consent.accept.1', 'Acepto');
    await drained();
    const res = await app.inject({
      method: 'POST',
      url: `/api/conversations/${CUSTOMER}/close`,
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(ofType(await events(), 'chat_closed')).toMatchObject([{ chatId: CUSTOMER }]);
    const inboundBefore = await context.producers.inbound.queue.count();
    const again = await text('hola de nuevo');
    await drained();
    const sent = ofType(await events(), 'message_sent');
    expect(sent.at(-1)?.message).toMatchObject({ correlationId: again, purpose: 'menu' });
    expect(await context.producers.inbound.queue.count()).toBe(inboundBefore);
    // Reopened: the message after that is classified again.
    await text('no tengo internet');
    expect(await context.producers.inbound.queue.count()).toBe(inboundBefore + 1);
  });

  test('a failed status carries Meta error code and title', async () => {
    await text('hola');
    await drained();
    const sent = bed.graph.messageRequests().find((r) => r.outcome === 200);
    const wamid = sent?.messageId ?? '';
    expect(wamid).not.toBe('');
    await status(wamid, 'failed', [{ code: 131047, title: 'Re-engagement message' }]);
    const [failed] = ofType(await events(), 'delivery_status');
    expect(failed).toMatchObject({
      status: 'failed',
      providerMessageId: wamid,
      error: { code: 131047, title: 'Re-engagement message' },
    });
  });

  test('the reply path: the events ride inside the scripts already sent; what one message costs in Redis', async () => {
    await text('hola');
    await drained();
    await button('consent.accept.1', 'Acepto');
    await drained();
    await text('primero');
    await drained();
    // A status of the menu the consent brought, so that every script of the status path is
    // loaded (a fresh Redis answers the first EVALSHA of each with NOSCRIPT, then EVAL).
    const menu = await waitFor(() => bed.graph.messageRequests().at(-1));
    await post({
      statuses: [
        {
          id: menu.messageId,
          status: 'delivered',
          timestamp: nowSeconds(),
          recipient_id: CUSTOMER,
          biz_opaque_callback_data: (menu.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data,
        },
      ],
    });

    // The test's own reads and its stand-in for the classifier's add, on a connection of
    // their own, left out of the counts.
    const own = new Redis(bed.redis.url);
    await own.ping();
    const classifier = createProducer('outbound', { connection: own, prefix: context.prefix });
    const counter = await countCommands(bed.redis.url);
    counter.ignore(own);
    await sleep(50);
    const question = await text('no tengo internet');
    await sleep(100);
    const webhookSeen = counter.take();
    await classifier.add(
      {
        correlationId: question,
        purpose: 'ack',
        channel: 'cloud',
        to: CUSTOMER,
        content: { kind: 'text', body: 'Revisamos' },
        meta: {
          classification: {
            category: 'connectivity',
            priority: 'high',
            needsTicket: true,
            summary: 'Sin internet',
            language: 'es',
            confidence: 0.9,
            source: 'keywords',
          },
        },
      },
      { jobId: jobIds.outbound(question, 'ack') },
    );
    const reply = await waitFor(() =>
      bed.graph
        .messageRequests()
        .find((r) => (r.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data?.endsWith('-ack')),
    );
    await waitFor(async () =>
      (await own.get(`${context.keyPrefix}:outbound:send:${jobIds.outbound(question, 'ack')}`))?.startsWith(
        'observed:',
      ),
    );
    await sleep(100);
    const sendSeen = counter.take();
    // Meta's `sent` status of the reply, with its callback data, as it follows every reply.
    await post({
      statuses: [
        {
          id: reply.messageId,
          status: 'sent',
          timestamp: nowSeconds(),
          recipient_id: CUSTOMER,
          biz_opaque_callback_data: `helpline:${jobIds.outbound(question, 'ack')}`,
        },
      ],
    });
    await sleep(100);
    const statusSeen = counter.take();
    counter.stop();
    await classifier.close();
    own.disconnect();

    const client = (list: typeof webhookSeen) => list.filter((c) => c.source !== 'lua');
    // BullMQ's own scripts XADD to each queue's event stream: only ours are counted.
    const xadds = (list: typeof webhookSeen) =>
      list.filter((c) => c.command === 'xadd' && c.key === context.events.key);
    // One XADD per fact (the message received; the message sent; its status), each from inside Lua.
    expect(xadds(webhookSeen).map((c) => c.source)).toEqual(['lua']);
    expect(xadds(sendSeen).map((c) => c.source)).toEqual(['lua']);
    expect(xadds(statusSeen).map((c) => c.source)).toEqual(['lua']);
    expect(xadds(client([...webhookSeen, ...sendSeen, ...statusSeen]))).toEqual([]);

    // What one customer message costs the gateway in Redis, held (docs/performance.md): its
    // own keys (the conversation, the window, the send guard, the delivery state, the event
    // stream), client commands and all commands with those their scripts run. Before the
    // gate's scripts: 28 client commands for the webhook message, 21 for the reply's send.
    const gatewayKeys = (key: string) => key.startsWith(`${context.keyPrefix}:`) || key === context.events.key;
    const inbound = (key: string) => key.startsWith(`${context.prefix}:inbound:`);
    const counts = {
      webhookMessage: tally(webhookSeen, gatewayKeys),
      webhookMessageInboundQueue: tally(webhookSeen, inbound),
      replySend: tally(sendSeen, gatewayKeys),
      statusWebhook: tally(statusSeen, gatewayKeys),
    };
    // Printed for the report, with BullMQ's share (its worker's calls vary with timing).
    console.info(JSON.stringify({ ...counts, replySendAllKeys: tally(sendSeen, () => true) }));
    expect(counts).toEqual({
      webhookMessage: { client: 6, all: 41 },
      // BullMQ's add alone: the gate already told a redelivery apart, so nothing asks the
      // queue whether the job was there (the producer's look-up made it 2 and 11).
      webhookMessageInboundQueue: { client: 1, all: 10 },
      replySend: { client: 10, all: 42 },
      statusWebhook: { client: 4, all: 15 },
    });
  });
});
