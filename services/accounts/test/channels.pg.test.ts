import { startTestPostgres, startTestRedis, type TestPostgres, type TestRedis, waitFor } from '@helpline/testkit';
import {
  type FakeTwilio,
  postTwilioWebhook,
  startFakeTwilio,
  type TwilioSentMessage,
  twilioInboundParams,
} from '@helpline/testkit/twilio';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createTemplateBook } from '../../gateway/src/templates/templates-file.js';
import { APP_SECRET } from '../../gateway/test/support/harness.js';
import { startBroadcasts } from '../src/broadcasts/start-broadcasts.js';
import { importRecords } from '../src/import/import-records.js';
import { API_TOKEN, received, settle, startWorld, text, type World } from './support/world.js';

// A deployment with both channels: the Cloud API (fake Graph API) and Twilio (fake Twilio),
// the real gateway between them and the accounts service. What the accounts service starts
// itself (broadcasts, notices, receipt decisions) goes to each customer on the channel they
// last wrote on, and to the Cloud API for a customer who never wrote.

let redis: TestRedis;
let postgres: TestPostgres;
let twilio: FakeTwilio;
beforeAll(async () => {
  redis = await startTestRedis();
  postgres = await startTestPostgres();
  twilio = await startFakeTwilio({ callbackRetryMs: 50 });
});
afterAll(async () => {
  await twilio?.close();
  await postgres?.stop();
  await redis?.stop();
});

let world: World | undefined;
let stopBroadcasts: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopBroadcasts?.();
  stopBroadcasts = undefined;
  // The status callbacks reach the gateway before it stops.
  await twilio.settled();
  await world?.stop();
  world = undefined;
  twilio.reset();
  twilio.clearFaults();
});

const phoneOf = (i: number) => `57310${String(1_000_000 + i).slice(1)}`;
const CONTENT_SID = 'HX0123456789abcdef0123456789abcdef';

async function twoChannelWorld(customersCsv: string): Promise<World> {
  twilio.addContent(CONTENT_SID);
  const started = await startWorld(
    redis,
    postgres,
    { WHATSAPP_SEND_RATE: '1000', BROADCAST_RATE_PERCENT: '100' },
    // Sends refused at once end their job without an event: looked at after half a second.
    { broadcast: { staleAfterMs: 500 } },
    {
      twilio,
      templates: createTemplateBook({
        broadcast: {
          name: 'mantenimiento_programado',
          language: 'es',
          header: [],
          body: ['customer_name', 'text'],
          twilio: { contentSid: CONTENT_SID },
        },
      }),
    },
  );
  world = started;
  const imported = await importRecords(started.accounts.db, 'customers', customersCsv, 'csv');
  expect(imported).toMatchObject({ errors: [] });
  return started;
}

/** Ley 1581's consent, as the customer gave it earlier (notices go only to consented chats). */
async function consented(w: World, phone: string): Promise<void> {
  await w.gateway.conversation.store.updateChat(phone, {
    consentVersion: w.gateway.config.PRIVACY_NOTICE_VERSION,
    consentAt: new Date().toISOString(),
  });
}

/** A customer's message through Twilio, signed as Twilio signs it; the gateway must take it. */
async function viaTwilio(w: World, from: string, body: string, extra: Record<string, string> = {}): Promise<void> {
  const params = twilioInboundParams({
    from,
    to: twilio.whatsappNumber,
    accountSid: twilio.accountSid,
    body,
    extra,
  });
  const res = await postTwilioWebhook(w.twilioWebhookUrl as string, twilio.authToken, params);
  expect(res.status).toBe(200);
}

const twilioTo = (phone: string): TwilioSentMessage[] => twilio.sent.filter((m) => m.to === `whatsapp:+${phone}`);
const formOf = (m: TwilioSentMessage | undefined, name: string) => m?.form.find(([n]) => n === name)?.[1];

describe('a broadcast to customers on both channels', () => {
  test('each recipient gets it on the channel they wrote on (the Cloud API when they never wrote); the report counts both', async () => {
    const rows = ['customer_id,name,phones,status'];
    for (let i = 0; i < 7; i++) rows.push(`C-${i},Cliente ${i},+${phoneOf(i)},active`);
    const w = await twoChannelWorld(`${rows.join('\n')}\n`);
    const gatewayUrl = new URL(w.twilioWebhookUrl as string).origin;
    for (let i = 0; i < 7; i++) await consented(w, phoneOf(i));
    // 0-2 write through the Cloud API number, 3-5 through Twilio's; 6 never wrote.
    for (const i of [0, 1, 2]) await text(w, phoneOf(i), 'hola');
    for (const i of [3, 4, 5]) await viaTwilio(w, phoneOf(i), 'hola');
    await settle(w, phoneOf(0));
    const sentBefore = { graph: w.graph.messageRequests().length, twilio: twilio.sent.length };

    // Failures on both channels: refused at once (Meta 131026, Twilio 21211) and reported
    // failed later by a status (Twilio 63024).
    w.graph.failWith(131026, { recipient: phoneOf(1) });
    twilio.failWith(21211, { recipient: phoneOf(4) });
    twilio.addFault({ failLaterWith: 63024, recipient: phoneOf(5) });
    w.graph.reportStatuses({
      url: `${gatewayUrl}/webhook`,
      appSecret: APP_SECRET,
      retryMs: 100,
      followUps: () => [{ status: 'delivered' }],
    });
    stopBroadcasts = startBroadcasts(w.accounts, { redisUrl: redis.url, blockMs: 200 }).stop;

    const created = await w.accountsApp.inject({
      method: 'POST',
      url: '/api/broadcasts',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        template: { name: 'mantenimiento_programado', language: 'es', body: ['{{customer_name}}', 'esta noche'] },
        audience: { kind: 'all' },
      }),
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;

    let report: Record<string, unknown> = {};
    await waitFor(
      async () => {
        report = (
          await w.accountsApp.inject({
            method: 'GET',
            url: `/api/broadcasts/${id}`,
            headers: { authorization: `Bearer ${API_TOKEN}` },
          })
        ).json();
        const c = report.counts as Record<string, number>;
        return report.state === 'done' && c.delivered === 4 && c.failed === 3;
      },
      60_000,
      'the broadcast to settle',
    );

    // Where each went: the Graph API for 0, 1, 2 and 6; Twilio for 3, 4, 5; never both.
    const graphTo = new Set(
      w.graph
        .messageRequests()
        .slice(sentBefore.graph)
        .map((r) => (r.body as { to?: string; type?: string } | undefined)?.to),
    );
    const twilioBroadcasts = twilio.sent.slice(sentBefore.twilio).filter((m) => formOf(m, 'ContentSid'));
    for (const i of [0, 1, 2, 6]) expect(graphTo.has(phoneOf(i))).toBe(true);
    for (const i of [3, 4, 5]) expect(graphTo.has(phoneOf(i))).toBe(false);
    // 4 was refused before Twilio took it: only 3 and 5 are among the messages it took.
    expect(twilioBroadcasts.map((m) => m.to).sort()).toEqual([`whatsapp:+${phoneOf(3)}`, `whatsapp:+${phoneOf(5)}`]);
    const refusedByTwilio = twilio.requests.filter(
      (r) => r.outcome !== 201 && r.form.some(([n, v]) => n === 'To' && v === `whatsapp:+${phoneOf(4)}`),
    );
    expect(refusedByTwilio).toHaveLength(1);
    // On Twilio the template is its Content SID, with the recipient's own name.
    const toThree = twilioTo(phoneOf(3)).find((m) => formOf(m, 'ContentSid'));
    expect(formOf(toThree, 'ContentSid')).toBe(CONTENT_SID);
    expect(JSON.parse(formOf(toThree, 'ContentVariables') ?? '{}')).toEqual({ '1': 'Cliente 3', '2': 'esta noche' });

    // The report: both channels' statuses and failure codes, counted alike.
    expect(report.counts).toMatchObject({ pending: 0, queued: 0, sent: 0, delivered: 4, read: 0, failed: 3 });
    const failures = report.failures as { code: string; count: number }[];
    expect(Object.fromEntries(failures.map((f) => [f.code, f.count]))).toEqual({ '131026': 1, '21211': 1, '63024': 1 });
  }, 120_000);
});

describe('a Twilio customer’s receipt', () => {
  test('its acknowledgement, the confirmation and the restored notice all go through Twilio', async () => {
    const phone = phoneOf(9);
    const w = await twoChannelWorld(`customer_id,name,phones,status\nT-9,Tomás Ruiz,+${phone},suspended\n`);
    const invoices = JSON.stringify([
      {
        invoice_id: 'FT-1',
        customer_id: 'T-9',
        number: '9001',
        due_on: '2020-01-10',
        total: '85000',
        state: 'pending',
      },
    ]);
    expect(await importRecords(w.accounts.db, 'invoices', invoices, 'json')).toMatchObject({ errors: [] });
    await consented(w, phone);

    // The customer sends the picture of a payment through Twilio, captioned as one.
    const messageSid = 'MM0123456789abcdef0123456789abcdef';
    const mediaSid = 'ME0123456789abcdef0123456789abcdef';
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('receipt'.repeat(100))]);
    w.media.media.set(`${messageSid}-${mediaSid}`, { bytes: jpeg, mimeType: 'image/jpeg' });
    await viaTwilio(w, phone, 'comprobante de pago', {
      MessageSid: messageSid,
      SmsMessageSid: messageSid,
      SmsSid: messageSid,
      MessageType: 'image',
      NumMedia: '1',
      MediaUrl0: `${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages/${messageSid}/Media/${mediaSid}`,
      MediaContentType0: 'image/jpeg',
    });
    // Fetched through the gateway's media endpoint with Twilio's channel, acknowledged on Twilio.
    const ack = await waitFor(
      () => twilioTo(phone).find((m) => /n\.º \d+/.test(formOf(m, 'Body') ?? '')),
      20_000,
      'the acknowledgement',
    );
    expect(w.media.requests.map((r) => r.channel)).toEqual(['twilio']);
    const receiptId = /n\.º (\d+)/.exec(formOf(ack, 'Body') ?? '')?.[1];

    const confirmed = await w.accountsApp.inject({
      method: 'POST',
      url: `/api/receipts/${receiptId}/confirm`,
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload: { amount: '85000', method: 'transferencia', reference: 'TRX-77' },
    });
    expect(confirmed.statusCode).toBe(200);
    const bodies = await waitFor(
      () => {
        const all = twilioTo(phone).map((m) => formOf(m, 'Body') ?? '');
        return all.some((b) => b.startsWith('Confirmamos tu pago')) && all.some((b) => b.includes('reactivado'))
          ? all
          : undefined;
      },
      20_000,
      'the confirmation and the restored notice',
    );
    expect(bodies.filter((b) => b.startsWith('Confirmamos tu pago'))).toEqual([
      'Confirmamos tu pago de $ 85.000 (referencia TRX-77) y reactivamos tu servicio. ¡Gracias!',
    ]);
    expect(
      bodies.filter((b) => b.includes('registramos tu pago y tu servicio de internet ya está reactivado')),
    ).toHaveLength(1);
    // Nothing of it went through the Cloud API.
    expect(received(w, phone)).toEqual([]);
  }, 60_000);
});
