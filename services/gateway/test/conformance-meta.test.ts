import type { InboundMessage } from '@helpline/contracts';
import { InboundMessage as InboundSchema } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { buildSignedWebhookRequest, readConformancePayloads, startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import type { DeliveryStatusUpdate } from '../src/outbound/channel-sender.js';
import { normalisePayload, WebhookEnvelope } from '../src/webhook/normalise-payload.js';
import { APP_SECRET, testContext } from './support/harness.js';

const payloads = readConformancePayloads('meta');
const RECEIVED = new Date('2026-01-01T00:00:00.000Z');

function normalise(name: string) {
  const p = payloads.find((x) => x.name === name);
  if (!p) throw new Error(`conformance payload ${name} missing`);
  return normalisePayload(WebhookEnvelope.parse(p.json), RECEIVED);
}
function only(name: string): InboundMessage {
  const { messages } = normalise(name);
  expect(messages).toHaveLength(1);
  return messages[0] as InboundMessage;
}
function status(name: string): DeliveryStatusUpdate {
  const { statuses } = normalise(name);
  expect(statuses).toHaveLength(1);
  return statuses[0] as DeliveryStatusUpdate;
}

/** Per-file expectations: what each published payload must normalise to. */
const EXPECTED_MESSAGES: Record<string, (m: InboundMessage) => void> = {
  '01-text-bsuid-contact.json': (m) =>
    expect(m).toMatchObject({ type: 'text', text: 'Body Text', from: '972987654321', senderPhone: '972987654321', senderName: 'Test Name', sentAt: '2023-10-11T16:53:43.000Z' }),
  '03-text-reply-context.json': (m) => expect(m.replyTo).toMatch(/^wamid\./),
  '04-text-frequently-forwarded.json': (m) => expect(m.forwarded).toBe(true),
  '05-text-forwarded-numeric-timestamp.json': (m) =>
    expect(m).toMatchObject({ forwarded: true, text: 'MESSAGE_BODY', sentAt: '2022-11-23T20:02:58.000Z' }),
  '06-text-contact-without-profile.json': (m) => expect(m.senderName).toBeUndefined(),
  '07-image.json': (m) => expect(m).toMatchObject({ type: 'image', text: '', media: { mimeType: 'image/jpeg' } }),
  '08-image-with-url.json': (m) => expect(m.media?.url).toMatch(/^https:/),
  '09-video-forwarded-caption.json': (m) => expect(m).toMatchObject({ type: 'video', forwarded: true, media: { caption: m.text } }),
  '10-audio-voice.json': (m) => expect(m).toMatchObject({ type: 'audio', media: { voice: true, mimeType: 'audio/ogg; codecs=opus' } }),
  '11-audio-not-voice.json': (m) => expect(m).toMatchObject({ type: 'audio', media: { voice: false } }),
  '12-document-no-caption.json': (m) => expect(m).toMatchObject({ type: 'document', text: '' }),
  '13-document-caption.json': (m) => expect(m.media?.filename).toBeTruthy(),
  '14-sticker-static.json': (m) => expect(m).toMatchObject({ type: 'sticker', media: { animated: false } }),
  '15-sticker-animated.json': (m) => expect(m).toMatchObject({ type: 'sticker', media: { animated: true } }),
  '16-location-url-only.json': (m) => {
    expect(m.type).toBe('location');
    expect(typeof m.location?.latitude).toBe('number');
    expect(m.location?.url).toMatch(/^https?:\/\//);
  },
  '17-location-named.json': (m) => expect(m.location?.name).toBeTruthy(),
  '18-contacts-three.json': (m) => {
    expect(m.type).toBe('contacts');
    expect(m.contacts?.map((c) => c.name)).toEqual(['Chandler Bing', 'Monica', 'Rachel Green']);
    expect(m.contacts?.[0]?.phones).toEqual(['+1 555-555-5555']);
  },
  '20-interactive-button-reply.json': (m) => expect(m).toMatchObject({ type: 'interactive', reply: { kind: 'button_reply' } }),
  '21-interactive-list-reply.json': (m) => expect(m).toMatchObject({ type: 'interactive', reply: { kind: 'list_reply' } }),
  '22-interactive-list-reply-numeric-ts.json': (m) => expect(m.reply?.kind).toBe('list_reply'),
  '23-button-template-quick-reply.json': (m) => expect(m).toMatchObject({ type: 'button', reply: { kind: 'quick_reply' } }),
  '24-button-no-context-from-user-id.json': (m) =>
    expect(m).toMatchObject({ type: 'button', text: 'title', reply: { id: 'callback_data' } }),
  '25-interactive-nfm-reply-flow.json': (m) =>
    expect(m.reply).toMatchObject({ kind: 'nfm_reply', response: { comment_text: 'Comment Text', delivery_rating: '4' } }),
  '26-interactive-missing-object.json': (m) => expect(m).toMatchObject({ type: 'interactive', text: '', errors: [{ code: 131000 }] }),
  '27-reaction-add.json': (m) => expect(m).toMatchObject({ type: 'reaction', text: '👍', reaction: { emoji: '👍', removed: false } }),
  '28-reaction-remove-empty-emoji.json': (m) => expect(m.reaction).toMatchObject({ messageId: 'wamid.yzxyzx=', removed: true }),
  '29-reaction-remove-no-emoji.json': (m) => expect(m.reaction).toMatchObject({ removed: true }),
  '30-unsupported-deleted-message.json': (m) => expect(m).toMatchObject({ type: 'unsupported', errors: [{ code: 131051 }] }),
  '31-unsupported-with-subtype.json': (m) => expect(m).toMatchObject({ type: 'unsupported', rawType: 'unsupported' }),
  '32-unknown-type-errors.json': (m) => expect(m).toMatchObject({ type: 'unknown', rawType: 'unknown', errors: [{ code: 131051 }] }),
  '33-order.json': (m) => {
    expect(m.type).toBe('order');
    expect(m.order?.items[0]).toEqual({ productId: 'HAMBURGER', quantity: 3, price: 30, currency: 'ILS' });
  },
  '34-order-string-values.json': (m) => {
    for (const item of m.order?.items ?? []) {
      expect(typeof item.quantity).toBe('number');
      expect(typeof item.price).toBe('number');
    }
    expect(m.order?.items).toHaveLength(2);
  },
  '35-system-user-changed-number.json': (m) => expect(m).toMatchObject({ type: 'system', text: 'User A changed from 972987654321 to 972912345678' }),
  '37-system-identity-changed.json': (m) => expect(m).toMatchObject({ type: 'system', text: 'User identity changed' }),
  '38-referral-ctwa.json': (m) => expect(m.referral).toMatchObject({ sourceId: 'ADID', ctwaClid: 'CTWA_CLID', headline: 'AD_TITLE' }),
  '39-button-with-referral-referred-product.json': (m) => expect(m).toMatchObject({ type: 'button', forwarded: true, referral: { sourceId: 'ADID' } }),
  '52-bsuid-only-no-from.json': (m) => expect(m).toMatchObject({ from: 'BSUID_123', chatId: 'BSUID_123', senderName: 'NAME' }),
  '53-wa-id-and-user-id.json': (m) => expect(m.from).toBe('PHONE_NUMBER'),
  '55-edit-image.json': (m) => expect(m).toMatchObject({ type: 'edit', text: 'Updated image caption', replyTo: expect.stringMatching(/^wamid\./) }),
  '56-revoke.json': (m) => expect(m).toMatchObject({ type: 'revoke', replyTo: '<ORIGINAL_WHATSAPP_MESSAGE_ID>' }),
  '67-username-no-phone-incoming.json': (m) => {
    expect(m).toMatchObject({ from: 'US.13491208655302741918', chatId: 'US.13491208655302741918', senderName: 'test user name', text: 'this is a text message' });
    expect(m.senderPhone).toBeUndefined();
  },
  '71-username-no-phone-pywa-historical.json': (m) => expect(m.from).toBe('US.13491208655302741918'),
};

const EXPECTED_STATUSES: Record<string, (s: DeliveryStatusUpdate) => void> = {
  '40-status-sent.json': (s) => expect(s.status).toBe('sent'),
  '41-status-delivered.json': (s) => expect(s.status).toBe('delivered'),
  '42-status-read-with-contacts.json': (s) => expect(s.status).toBe('read'),
  '43-status-played.json': (s) => expect(s.status).toBe('played'),
  '44-status-failed-131047.json': (s) => expect(s).toMatchObject({ status: 'failed', recipient: '5511111111111', errors: [{ code: 131047 }] }),
  '45-status-failed-131053.json': (s) => expect(s.errors?.[0]?.code).toBe(131053),
  '46-status-failed-130472.json': (s) => expect(s.errors?.[0]?.code).toBe(130472),
  '47-status-failed-minimal-error.json': (s) => expect(s.errors).toEqual([{ code: 131053, title: 'ERROR_TITLE' }]),
  '49-status-numeric-expiration.json': (s) => expect(s.timestamp).toBe('2022-11-23T20:02:58.000Z'),
  '50-status-group-username.json': (s) => expect(s.recipient).toBe('fowefinoewcnw'),
  '69-status-sent-to-bsuid-no-phone.json': (s) => expect(s.recipient).toBe('US.13491208655302741918'),
};

/** Fields the gateway does not handle: accepted with 200, nothing stored. */
const IGNORED = [
  '54-smb-message-echo-text.json',
  '57-template-status-approved.json',
  '58-template-status-rejected.json',
  '59-account-update-disabled.json',
  '60-account-update-restriction.json',
  '61-account-update-restriction-placeholder.json',
  '62-phone-number-quality-update.json',
  '63-phone-number-name-update.json',
  '64-template-quality-update.json',
  '65-user-preferences.json',
  '66-calls-connect.json',
];

describe('Meta conformance corpus: normalisation', () => {
  it('has the corpus (every payload is a fixture of this file)', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(71);
  });

  it.each(payloads.map((p) => p.name))('%s normalises into valid contract objects', (name) => {
    const { messages, statuses, ignored } = normalise(name);
    for (const m of messages) expect(InboundSchema.safeParse(m).success).toBe(true);
    expect(messages.length + statuses.length + ignored.length).toBeGreaterThan(0);
    if (IGNORED.includes(name)) {
      expect(messages).toHaveLength(0);
      expect(statuses).toHaveLength(0);
    }
  });

  it.each(Object.keys(EXPECTED_MESSAGES))('%s', (name) => EXPECTED_MESSAGES[name]?.(only(name)));
  it.each(Object.keys(EXPECTED_STATUSES))('%s', (name) => EXPECTED_STATUSES[name]?.(status(name)));

  it('51-multiple-changes.json yields both messages in order', () => {
    const { messages } = normalise('51-multiple-changes.json');
    expect(messages.map((m) => m.text)).toEqual(['MESSAGE_BODY', 'MESSAGE_BODY2']);
  });

  it('keeps a type WhatsApp adds later as unknown with its raw type, and reads several entries', () => {
    const msg = (id: string, extra: Record<string, unknown>) => ({ from: '5491155550000', id, timestamp: '1763600000', ...extra });
    const { messages } = normalisePayload(
      WebhookEnvelope.parse({
        object: 'whatsapp_business_account',
        entry: [
          { id: 'A', changes: [{ field: 'messages', value: { messages: [msg('w1', { type: 'poll_vote', poll_vote: { option: 2 } }), msg('w2', { type: 'text', text: { body: 'uno' } })] } }] },
          { id: 'B', changes: [{ field: 'messages', value: { messages: [msg('w3', { type: 'text', text: { body: 'dos' } })] } }] },
        ],
      }),
      RECEIVED,
    );
    expect(messages.map((m) => [m.id, m.type, m.rawType])).toEqual([
      ['w1', 'unknown', 'poll_vote'],
      ['w2', 'text', 'text'],
      ['w3', 'text', 'text'],
    ]);
  });

  it('every message type of the corpus is covered, none as a crash', () => {
    const types = new Set(payloads.flatMap((p) => normalise(p.name).messages.map((m) => m.type)));
    for (const t of ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'button', 'reaction', 'order', 'system', 'unsupported', 'unknown', 'edit', 'revoke']) {
      expect(types).toContain(t);
    }
  });
});

describe('Meta conformance corpus: through POST /webhook', () => {
  let redis: TestRedis;
  let context: GatewayContext;
  let app: HttpApp;

  beforeAll(async () => {
    redis = await startTestRedis();
    context = testContext(redis.url);
    app = await buildApp(context);
  });
  afterAll(async () => {
    await app.close();
    await context.close();
    await redis.stop();
  });

  it('accepts every payload with its published bytes, signed, and stores every message', async () => {
    const ids = new Set<string>();
    for (const p of payloads) {
      const req = buildSignedWebhookRequest({ body: p.raw, appSecret: APP_SECRET });
      const res = await app.inject({ method: 'POST', url: '/webhook', payload: req.payload, headers: req.headers });
      expect(res.statusCode, p.name).toBe(200);
      for (const m of normalise(p.name).messages) ids.add(m.id);
    }
    for (const id of ids) expect(await context.producers.inbound.queue.getJob(id), id).toBeDefined();
    expect(await context.producers.inbound.queue.getJobCountByTypes('waiting')).toBe(ids.size);
  });
});
