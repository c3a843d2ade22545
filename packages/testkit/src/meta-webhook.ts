import { createHmac } from 'node:crypto';

/**
 * The X-Hub-Signature-256 value Meta sends: `sha256=` and the hex HMAC-SHA256 of the raw
 * request body, keyed with the app secret. A string is hashed as its UTF-8 bytes.
 */
export function signMetaWebhook(rawBody: string | Buffer, appSecret: string): string {
  const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return `sha256=${createHmac('sha256', appSecret).update(bytes).digest('hex')}`;
}

/**
 * JSON text written the way Meta writes webhook bodies: every non-ASCII code unit as a
 * lowercase `\uXXXX` escape (Meta documents that it signs this escaped form) and `/` as
 * `\/` (as in captured payloads). A receiver that re-serialises the parsed body gets
 * different bytes and a signature mismatch, which is the bug these bodies are for.
 */
export function metaJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error('the webhook body must be serialisable as JSON');
  return text
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('/', '\\/');
}

export interface SignedWebhookRequest {
  payload: Buffer;
  headers: { 'content-type': 'application/json'; 'x-hub-signature-256': string };
}

/**
 * A webhook POST as Meta would send it, ready for `app.inject()` or `fetch`. A string or
 * Buffer body is sent and signed byte for byte as given, never parsed and re-serialised:
 * conformance payloads must reach the receiver with exactly their published bytes. Any
 * other value is written with `metaJson`.
 */
export function buildSignedWebhookRequest(input: { body: unknown; appSecret: string }): SignedWebhookRequest {
  const { body, appSecret } = input;
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : metaJson(body), 'utf8');
  return {
    payload,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(payload, appSecret) },
  };
}
