import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Whether `header` is Meta's X-Hub-Signature-256 for these exact bytes: `sha256=` and the
 * hex HMAC-SHA256 keyed with the app secret. It must be computed over the raw body: Meta
 * escapes non-ASCII text as \uXXXX, so re-serialised JSON has other bytes.
 */
export function verifyMetaSignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = header.slice('sha256='.length).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}
