import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** What the gateway asked Twilio to send, as the Messages API form. */
export interface TwilioSend {
  /** The SID answered to the gateway. */
  sid: string;
  form: Record<string, string>;
}

/**
 * Twilio's request signature (X-Twilio-Signature), as Twilio documents it: base64 HMAC-SHA1
 * with the auth token over the URL and the parameters sorted by name, each name then value.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Posts parameters form-encoded and signed as Twilio does; resolves with the answer's status. */
export async function postSignedForm(
  url: string,
  authToken: string,
  params: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

/** The parameters of an incoming WhatsApp message typed by the simulated customer. */
export function twilioCustomerMessage(
  account: { accountSid: string; number: string },
  customer: { phone: string; name: string },
  text: string,
): Record<string, string> {
  const sid = `SM${randomBytes(16).toString('hex')}`;
  return {
    MessageSid: sid,
    SmsMessageSid: sid,
    SmsSid: sid,
    AccountSid: account.accountSid,
    From: `whatsapp:+${customer.phone}`,
    To: `whatsapp:${account.number}`,
    Body: text,
    NumMedia: '0',
    NumSegments: '1',
    MessageType: 'text',
    ProfileName: customer.name,
    WaId: customer.phone,
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
  };
}

/**
 * Stands in for Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`, basic
 * auth with the account SID and auth token) so the gateway's answers reach the terminal;
 * every message taken is handed to `onSend`, and its status callback is reported `delivered`.
 */
export function startTwilioStandIn(
  port: number,
  account: { accountSid: string; authToken: string },
  onSend: (send: TwilioSend) => void,
): Promise<Server> {
  const expected = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${account.accountSid}/Messages.json`) {
        return reply(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      }
      if (req.headers.authorization !== expected) {
        return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const sid = `SM${randomBytes(16).toString('hex')}`;
      onSend({ sid, form });
      reply(201, { sid, status: 'queued', to: form.To, from: form.From, body: form.Body ?? '' });
      if (form.StatusCallback) {
        const callback = form.StatusCallback;
        const params = {
          MessageSid: sid,
          SmsSid: sid,
          MessageStatus: 'delivered',
          SmsStatus: 'delivered',
          AccountSid: account.accountSid,
          To: form.To ?? '',
          From: form.From ?? '',
          ChannelPrefix: 'whatsapp',
          ApiVersion: '2010-04-01',
        };
        // After the answer, as Twilio reports a status some time after the send.
        setTimeout(() => void postSignedForm(callback, account.authToken, params).catch(() => {}), 100).unref();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** What the customer sees of one Twilio send, as terminal lines. */
export function renderTwilioSend(form: Record<string, string>): string[] {
  const lines: string[] = [];
  if (form.ContentSid) lines.push(`bot (template ${form.ContentSid}): ${form.ContentVariables ?? ''}`);
  if (form.MediaUrl) lines.push(`bot: [media] ${form.MediaUrl}`);
  if (form.Body) {
    const [first, ...rest] = form.Body.split('\n');
    lines.push(`bot: ${first ?? ''}`, ...rest.map((line) => `     ${line}`));
  }
  return lines;
}
