import { createHash, createHmac } from 'node:crypto';

/**
 * Signs a request as Twilio does (X-Twilio-Signature): base64 HMAC-SHA1 with the auth token
 * over the URL followed by the POST parameters sorted by name, each name then value (a
 * repeated name: its distinct values, sorted). Written here from Twilio's documentation, so
 * that the fake signs independently of the gateway's own code.
 */
export function signTwilioRequest(
  authToken: string,
  url: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of params) grouped.set(name, [...(grouped.get(name) ?? []), value]);
  const data = [...grouped.keys()]
    .sort()
    .map((name) =>
      [...new Set(grouped.get(name))]
        .sort()
        .map((value) => name + value)
        .join(''),
    )
    .join('');
  return createHmac('sha1', authToken)
    .update(url + data, 'utf8')
    .digest('base64');
}

/**
 * A JSON body as Twilio signs it: the URL gains `bodySHA256` (the hex SHA-256 of the body)
 * and the signature covers that URL alone.
 */
export function signTwilioJsonRequest(
  authToken: string,
  url: string,
  body: string,
): { url: string; signature: string } {
  const signedUrl = new URL(url);
  signedUrl.searchParams.set('bodySHA256', createHash('sha256').update(body, 'utf8').digest('hex'));
  const text = signedUrl.toString();
  return { url: text, signature: signTwilioRequest(authToken, text, []) };
}

/** What a WhatsApp message to a Twilio number posts to the webhook, before any extra field. */
export interface TwilioInboundInput {
  accountSid: string;
  /** The customer's number, digits with the country code (`573001234567`). */
  from: string;
  /** The business number, E.164 (`+15550100000`). */
  to: string;
  body?: string;
  messageSid?: string;
  profileName?: string;
  /** Any other parameter, as Twilio names it (`ButtonPayload`, `Latitude`, `MediaUrl0`, ...). */
  extra?: Record<string, string>;
}

let counter = 0;

/** A message SID in Twilio's shape (`SM` and 32 hex digits). */
export function twilioSid(prefix: 'SM' | 'MM' | 'ME' | 'HX' | 'AC' = 'SM'): string {
  counter += 1;
  const random = createHash('sha256').update(`${Date.now()}-${Math.random()}-${counter}`).digest('hex');
  return `${prefix}${random.slice(0, 32)}`;
}

/** The parameters of an incoming WhatsApp message as Twilio posts them. */
export function twilioInboundParams(input: TwilioInboundInput): Array<[string, string]> {
  const sid = input.messageSid ?? twilioSid('SM');
  const params: Array<[string, string]> = [
    ['SmsMessageSid', sid],
    ['NumMedia', '0'],
    ['ProfileName', input.profileName ?? 'Cliente'],
    ['MessageType', 'text'],
    ['SmsSid', sid],
    ['WaId', input.from],
    ['SmsStatus', 'received'],
    ['Body', input.body ?? ''],
    ['To', `whatsapp:${input.to}`],
    ['NumSegments', '1'],
    ['ReferralNumMedia', '0'],
    ['MessageSid', sid],
    ['AccountSid', input.accountSid],
    ['From', `whatsapp:+${input.from}`],
    ['ApiVersion', '2010-04-01'],
  ];
  for (const [name, value] of Object.entries(input.extra ?? {})) {
    const at = params.findIndex(([n]) => n === name);
    if (at >= 0) params[at] = [name, value];
    else params.push([name, value]);
  }
  return params;
}

/** Posts parameters to a webhook, form-encoded and signed as Twilio does; resolves with the answer. */
export async function postTwilioWebhook(
  url: string,
  authToken: string,
  params: ReadonlyArray<readonly [string, string]>,
  options: { signature?: string; signedUrl?: string } = {},
): Promise<{ status: number; text: string }> {
  const signature = options.signature ?? signTwilioRequest(authToken, options.signedUrl ?? url, params);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params.map(([n, v]): [string, string] => [n, v])).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}
