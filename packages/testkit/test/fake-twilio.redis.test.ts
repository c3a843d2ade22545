import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeTwilio,
  signTwilioJsonRequest,
  signTwilioRequest,
  startFakeTwilio,
  twilioInboundParams,
} from '../src/twilio/index.js';
import { waitFor } from '../src/wait-for.js';

// The real `twilio` library is the independent judge of the fake's signatures and of its
// Messages API: its client sends to the fake, its validators check what the fake signs.

let fake: FakeTwilio;
let receiver: Server;
let receiverUrl: string;
const received: Array<{ url: string; signature: string | undefined; params: Record<string, string> }> = [];
let receiverStatus = 200;

function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))));
  });
}

beforeAll(async () => {
  fake = await startFakeTwilio({ callbackRetryMs: 50 });
  receiver = createServer(async (req, res) => {
    const params = await readForm(req);
    const header = req.headers['x-twilio-signature'];
    received.push({
      url: `${receiverUrl}${req.url?.replace(/^\/status/, '') ?? ''}`,
      signature: typeof header === 'string' ? header : undefined,
      params,
    });
    res.writeHead(receiverStatus).end();
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/status`;
});
afterEach(() => {
  fake.reset();
  received.length = 0;
  receiverStatus = 200;
});
afterAll(async () => {
  await fake.close();
  receiver.close();
});

function client() {
  const c = twilio(fake.accountSid, fake.authToken);
  // The library's REST domain, pointed at the fake.
  (c.api as unknown as { baseUrl: string }).baseUrl = fake.url;
  return c;
}

const from = () => `whatsapp:${fake.whatsappNumber}`;

describe('Twilio signatures as the fake makes them', () => {
  it('match what the twilio library expects, for a form post', () => {
    const params = twilioInboundParams({
      accountSid: fake.accountSid,
      from: '573001234567',
      to: '+15550100000',
      body: 'sin internet ñ',
    });
    const url = 'https://helpline.example.com/webhook/twilio?x=1';
    const signature = signTwilioRequest(fake.authToken, url, params);
    expect(signature).toBe(twilio.getExpectedTwilioSignature(fake.authToken, url, Object.fromEntries(params)));
    expect(twilio.validateRequest(fake.authToken, signature, url, Object.fromEntries(params))).toBe(true);
    expect(twilio.validateRequest('another-token-000000', signature, url, Object.fromEntries(params))).toBe(false);
  });

  it('match the library for a JSON body signed with bodySHA256', () => {
    const body = JSON.stringify({ MessageSid: 'SM1', Body: 'hola' });
    const { url, signature } = signTwilioJsonRequest(
      fake.authToken,
      'https://helpline.example.com/webhook/twilio',
      body,
    );
    expect(twilio.validateRequestWithBody(fake.authToken, signature, url, body)).toBe(true);
    expect(twilio.validateRequestWithBody(fake.authToken, signature, url, `${body} `)).toBe(false);
  });
});

describe('fake Twilio Messages API, driven by the twilio library', () => {
  it('takes a WhatsApp message, answers 201 with a SID, and records the form', async () => {
    const message = await client().messages.create({ from: from(), to: 'whatsapp:+573001234567', body: 'hola' });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]?.form).toContainEqual(['Body', 'hola']);
  });

  it('refuses wrong credentials (20003), another sender (21606), a bad To (21211), an empty message (21619)', async () => {
    const wrong = twilio(fake.accountSid, 'not-the-token-at-all');
    (wrong.api as unknown as { baseUrl: string }).baseUrl = fake.url;
    await expect(
      wrong.messages.create({ from: from(), to: 'whatsapp:+573001234567', body: 'x' }),
    ).rejects.toMatchObject({
      code: 20003,
      status: 401,
    });
    await expect(
      client().messages.create({ from: 'whatsapp:+15559999999', to: 'whatsapp:+573001234567', body: 'x' }),
    ).rejects.toMatchObject({
      code: 21606,
    });
    await expect(client().messages.create({ from: from(), to: 'whatsapp:573', body: 'x' })).rejects.toMatchObject({
      code: 21211,
    });
    await expect(client().messages.create({ from: from(), to: 'whatsapp:+573001234567' })).rejects.toMatchObject({
      code: 21619,
    });
    expect(fake.sent).toHaveLength(0);
  });

  it('knows Content API templates by SID and refuses an unknown one (21655)', async () => {
    const sid = fake.addContent();
    const ok = await client().messages.create({
      from: from(),
      to: 'whatsapp:+573001234567',
      contentSid: sid,
      contentVariables: '{"1":"x"}',
    });
    expect(ok.sid).toBeTruthy();
    await expect(
      client().messages.create({
        from: from(),
        to: 'whatsapp:+573001234567',
        contentSid: 'HX00000000000000000000000000000000',
      }),
    ).rejects.toMatchObject({ code: 21655 });
  });

  it('answers a fault by code and status, with Retry-After on a 429, for one recipient only', async () => {
    fake.failWith(20429, { recipient: '573000000001', times: 1, retryAfterSeconds: 2 });
    const res = await fetch(`${fake.url}/2010-04-01/Accounts/${fake.accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ From: from(), To: 'whatsapp:+573000000001', Body: 'x' }).toString(),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({ code: 20429, status: 429 });
    // The fault was for one send: the next goes.
    await expect(
      client().messages.create({ from: from(), to: 'whatsapp:+573000000001', body: 'x' }),
    ).resolves.toBeTruthy();
  });

  it('drops the answer after taking a message: the library sees no answer, the record shows it taken', async () => {
    fake.addFault({ dropAfterAccepting: true, times: 1 });
    await expect(
      client().messages.create({ from: from(), to: 'whatsapp:+573001234567', body: 'x' }),
    ).rejects.toBeTruthy();
    expect(fake.sent).toHaveLength(1);
    expect(fake.requests.at(-1)?.outcome).toBe('dropped');
  });
});

describe('fake Twilio status callbacks', () => {
  it('posts sent then delivered to the StatusCallback, signed so that the twilio library accepts them', async () => {
    const callback = `${receiverUrl}?job=abc-ack`;
    await client().messages.create({
      from: from(),
      to: 'whatsapp:+573001234567',
      body: 'hola',
      statusCallback: callback,
    });
    await waitFor(() => received.length === 2);
    expect(received.map((r) => r.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const r of received) {
      expect(r.url).toBe(callback);
      expect(twilio.validateRequest(fake.authToken, r.signature ?? '', callback, r.params)).toBe(true);
    }
  });

  it('offers a callback again until the receiver answers 200, and reports a later failure with its code', async () => {
    receiverStatus = 503;
    fake.addFault({ failLaterWith: 63016, times: 1 });
    await client().messages.create({
      from: from(),
      to: 'whatsapp:+573001234567',
      body: 'hola',
      statusCallback: receiverUrl,
    });
    await waitFor(() => received.length >= 2);
    receiverStatus = 200;
    await fake.settled();
    const callbacks = fake.sent[0]?.callbacks ?? [];
    expect(callbacks).toEqual([expect.objectContaining({ status: 'failed', delivered: true })]);
    expect(callbacks[0]?.attempts).toBeGreaterThan(1);
    expect(received.at(-1)?.params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '63016' });
  });
});

describe('fake Twilio media', () => {
  it('serves a media URL only with the account credentials, through a redirect to the file', async () => {
    const { url } = fake.addMedia('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0x00]));
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0x00]));
  });
});
