/**
 * Keys whose values are secrets wherever they appear in a log object. pino's redaction
 * matches paths, so each key is listed at the top level and under one and two levels of
 * nesting (`*.key`, `*.*.key`), which covers config objects, request headers and errors.
 */
const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'appSecret',
  'clientSecret',
  'client_secret',
  'authorization',
  'Authorization',
  'cookie',
  'API_TOKEN',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_WEBHOOK_VERIFY_TOKEN',
  'META_APP_SECRET',
  'OPENAI_API_KEY',
  'GOOGLE_API_KEY',
  'ANTHROPIC_API_KEY',
  'ZOHO_CLIENT_SECRET',
  'ZOHO_REFRESH_TOKEN',
  'MIKROTIK_PASSWORD',
  'WISPHUB_API_KEY',
];

export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export const REDACTED = '[redacted]';

/**
 * A query parameter whose name looks like a credential, by rule rather than by a list of
 * names: a client that puts the operator token in `?api_token=`, `?auth=` or
 * `?Authorization=` (or Meta's `hub.verify_token`) must not see it land in the logs.
 * Over-matching a harmless name (`?monkey=`) costs a value in a log line, nothing more.
 */
const CREDENTIAL_NAME = /token|auth|key|secret|passw|pwd|signature|credential|session|cookie|bearer|^sig$|^code$/i;

/** True when a query parameter (or header, or field) of that name carries a secret. */
export function looksLikeCredential(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/**
 * Runs of 7 or more digits (phone numbers, in a path or a query value) keep their first and
 * last two digits: enough to tell two apart in a log, not enough to call anyone.
 */
export function maskPhones(text: string): string {
  return text.replace(
    /\d{7,}/g,
    (digits) => `${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`,
  );
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}

/**
 * A query string (without its `?`) with the values of credential-like parameters replaced
 * and phone numbers masked in the rest.
 */
export function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      if (looksLikeCredential(decodeName(rawName))) return `${maskPhones(rawName)}=${REDACTED}`;
      return maskPhones(pair);
    })
    .join('&');
}

/** A URL with the values of secret query parameters replaced and phone numbers masked. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return maskPhones(url);
  return `${maskPhones(url.slice(0, q))}?${redactQuery(url.slice(q + 1))}`;
}

/**
 * An error as logged, without the arguments of the Redis command it carries: ioredis'
 * `ReplyError` keeps `command: { name, args }`, and the args of a failed script or write
 * are a customer's phone number and message text. The command's name stays.
 */
export function withoutCommandArguments<T>(serialised: T): T {
  return strip(serialised, 0) as T;
}

// Copies what it changes, never writes into the error being logged: the same error may be
// thrown on, or logged again.
function strip(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > 3) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => strip(item, depth + 1));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  const set = (key: string, next: unknown) => {
    copy ??= Object.assign(Object.create(Object.getPrototypeOf(record)), record) as Record<string, unknown>;
    copy[key] = next;
  };
  for (const [key, item] of Object.entries(record)) {
    if (key === 'command' && item !== null && typeof item === 'object' && 'args' in item) {
      set(key, { name: (item as { name?: unknown }).name, args: REDACTED });
    } else if ((key === 'args' || key === 'previousErrors') && Array.isArray(item)) {
      set(key, REDACTED);
    } else {
      const next = strip(item, depth + 1);
      if (next !== item) set(key, next);
    }
  }
  return copy ?? value;
}
