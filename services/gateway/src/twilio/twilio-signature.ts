import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A POST parameter as Twilio sent it; a name may repeat. */
export type FormParam = readonly [name: string, value: string];

/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the auth
 * token, over the full URL Twilio called (query string included) followed by every POST
 * parameter sorted by name, each name then its value. A name sent several times contributes
 * each distinct value, values sorted, as Twilio's own libraries compute it.
 */
export function twilioSignature(authToken: string, url: string, params: readonly FormParam[]): string {
  const byName = new Map<string, Set<string>>();
  for (const [name, value] of params) {
    const values = byName.get(name) ?? new Set<string>();
    values.add(value);
    byName.set(name, values);
  }
  let data = url;
  // Twilio sorts by code unit (JavaScript's default sort), not by locale.
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...(byName.get(name) ?? [])].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Constant-time equality of two strings; a length difference is not secret (the digest's is fixed). */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `header` is Twilio's signature of a form-encoded request to `url` with these parameters. */
export function verifyTwilioFormSignature(
  authToken: string,
  header: string | undefined,
  url: string,
  params: readonly FormParam[],
): boolean {
  if (!header) return false;
  return sameText(header.trim(), twilioSignature(authToken, url, params));
}

/**
 * A request whose body is not form-encoded (JSON): Twilio signs the URL alone, which
 * carries `bodySHA256`, the hex SHA-256 of the raw body; both must hold.
 */
export function verifyTwilioBodySignature(
  authToken: string,
  header: string | undefined,
  url: string,
  rawBody: Buffer,
): boolean {
  if (!header) return false;
  let bodyHash: string | null;
  try {
    bodyHash = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  if (!bodyHash) return false;
  const signed = sameText(header.trim(), twilioSignature(authToken, url, []));
  const expectedHash = createHash('sha256').update(rawBody).digest('hex');
  // Both compared, whatever the first says: the time taken does not tell which one failed.
  const hashed = sameText(bodyHash.toLowerCase(), expectedHash);
  return signed && hashed;
}
