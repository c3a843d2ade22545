import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@helpline/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { verifyTwilioFormSignature } from '../../../services/gateway/src/twilio/twilio-signature.js';
import {
  renderTwilioSend,
  startTwilioStandIn,
  type TwilioSend,
  twilioCustomerMessage,
  twilioSignature,
} from '../src/chat/twilio-stand-in.js';

const account = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'chat-twilio-token-0123456789' };
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('chat simulator through Twilio', () => {
  test('what the customer types is signed as Twilio signs it, and the gateway accepts the signature', () => {
    const params = twilioCustomerMessage(
      { accountSid: account.accountSid, number: '+15550000000' },
      { phone: '573000000001', name: 'Ana' },
      '3',
    );
    expect(params).toMatchObject({
      From: 'whatsapp:+573000000001',
      WaId: '573000000001',
      Body: '3',
      To: 'whatsapp:+15550000000',
    });
    const url = 'http://127.0.0.1:3001/webhook/twilio';
    const signature = twilioSignature(account.authToken, url, params);
    expect(verifyTwilioFormSignature(account.authToken, signature, url, Object.entries(params))).toBe(true);
    expect(verifyTwilioFormSignature('another-token-0123456789', signature, url, Object.entries(params))).toBe(false);
  });

  test('the stand-in takes a Messages API call with the account credentials, shows it, and reports it delivered signed', async () => {
    const callbacks: { signature: string | undefined; params: Record<string, string> }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header = req.headers['x-twilio-signature'];
        callbacks.push({
          signature: typeof header === 'string' ? header : undefined,
          params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
        });
        res.writeHead(200).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    servers.push(receiver);
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook/twilio/status?job=x-ack`;

    const port = await freePort();
    const sends: TwilioSend[] = [];
    servers.push(await startTwilioStandIn(port, account, (send) => sends.push(send)));
    const url = `http://127.0.0.1:${port}/2010-04-01/Accounts/${account.accountSid}/Messages.json`;
    const form = new URLSearchParams({
      From: 'whatsapp:+15550000000',
      To: 'whatsapp:+573000000001',
      Body: 'Menú\n1. Uno',
      StatusCallback: callbackUrl,
    });
    const wrong = await fetch(url, { method: 'POST', headers: { authorization: 'Basic eDp5' }, body: form });
    expect(wrong.status).toBe(401);
    const auth = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
    const ok = await fetch(url, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(ok.status).toBe(201);
    const { sid } = (await ok.json()) as { sid: string };
    expect(sends).toEqual([{ sid, form: Object.fromEntries(form) }]);
    expect(renderTwilioSend(sends[0]?.form ?? {})).toEqual(['bot: Menú', '     1. Uno']);

    const deadline = Date.now() + 5_000;
    while (callbacks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(callbacks[0]?.params).toMatchObject({
      MessageSid: sid,
      MessageStatus: 'delivered',
      AccountSid: account.accountSid,
    });
    expect(
      verifyTwilioFormSignature(
        account.authToken,
        callbacks[0]?.signature,
        callbackUrl,
        Object.entries(callbacks[0]?.params ?? {}),
      ),
    ).toBe(true);
  });
});
