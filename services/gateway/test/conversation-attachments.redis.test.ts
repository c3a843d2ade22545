import { once } from 'node:events';
import { jobIds, type TicketAttachmentRequest } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { buildSignedWebhookRequest, startTestRedis, type TestRedis } from '@helpline/testkit';
import { type FakeGraphApi, startFakeGraphApi } from '@helpline/testkit/meta-graph';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import { APP_SECRET, PHONE_NUMBER_ID, testConfig, testContext } from './support/harness.js';
import { messagesChange } from './support/meta-webhooks.js';

// A customer's document or photo, from the signed webhook to the `attach` job the tickets
// service takes: only the media reference is queued, once per message, after consent.

const ACCESS_TOKEN = 'graph-test-token';
const CUSTOMER = '573001112233';
let redis: TestRedis;
let graph: FakeGraphApi;
let context: GatewayContext;
let app: HttpApp;
let sequence = 0;

beforeAll(async () => {
  redis = await startTestRedis();
  graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
});
afterAll(async () => {
  await graph?.close();
  await redis?.stop();
});
beforeEach(async () => {
  graph.reset();
  const config = testConfig({
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    GRAPH_API_URL: graph.url,
  });
  context = testContext(redis.url, config, { consent: true });
  if (context.redis('producer').status !== 'ready') await once(context.redis('producer'), 'ready');
  app = await buildApp(context);
});
afterEach(async () => {
  await app.close();
  await context.close();
});

const nextId = () => `wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgWATT${Date.now().toString(36).toUpperCase()}${++sequence}`;

async function post(message: Record<string, unknown>, from = CUSTOMER): Promise<string> {
  const id = nextId();
  const body = messagesChange({
    contacts: [{ profile: { name: 'Ana Cliente' }, wa_id: from }],
    messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
  });
  const signed = buildSignedWebhookRequest({ body, appSecret: APP_SECRET });
  const res = await app.inject({ method: 'POST', url: '/webhook', payload: signed.payload, headers: signed.headers });
  expect(res.statusCode, res.body).toBe(200);
  return id;
}

const document = (mediaId: string, filename: string) => ({
  type: 'document',
  document: { id: mediaId, mime_type: 'application/pdf', sha256: 'abc', filename, caption: 'mi extracto' },
});

async function attachJobs(): Promise<TicketAttachmentRequest[]> {
  const jobs = await context.producers.tickets.queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((j) => j.data as TicketAttachmentRequest).filter((d) => d.kind === 'attach');
}

describe('documents and photos offered to the open ticket', () => {
  test('before consent nothing is queued; after it, a document and a photo each make one attach job with their reference', async () => {
    await post(document('111222333', 'extracto.pdf'));
    expect(await attachJobs()).toEqual([]);

    await post({ type: 'text', text: { body: 'hola' } });
    await post({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'consent.accept.1', title: 'Acepto' } },
    });

    const docId = await post(document('444555666', 'extracto.pdf'));
    const photoId = await post({ type: 'image', image: { id: '777888999', mime_type: 'image/jpeg', sha256: 'def' } });
    // A text is no attachment.
    await post({ type: 'text', text: { body: 'les envié el extracto' } });

    const jobs = await attachJobs();
    expect(jobs).toHaveLength(2);
    const doc = (await context.producers.tickets.queue.getJob(jobIds.attachment(docId)))
      ?.data as TicketAttachmentRequest;
    expect(doc).toMatchObject({
      kind: 'attach',
      messageId: docId,
      chat: { channel: 'cloud', chatId: CUSTOMER },
      media: { id: '444555666', mimeType: 'application/pdf', filename: 'extracto.pdf', caption: 'mi extracto' },
    });
    const photo = (await context.producers.tickets.queue.getJob(jobIds.attachment(photoId)))
      ?.data as TicketAttachmentRequest;
    expect(photo.media).toMatchObject({ id: '777888999', mimeType: 'image/jpeg' });
    // Only the reference rides Redis: no bytes, no URL to fetch them by.
    expect(JSON.stringify(jobs).length).toBeLessThan(2000);
  });
});
