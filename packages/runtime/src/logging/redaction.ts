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

/** Query parameters whose values are secrets (Meta's verification handshake carries one). */
const SECRET_QUERY = /^(hub\.verify_token|access_token|token|key|api_key|apikey|password)$/i;

/** A URL with the values of secret query parameters replaced, for request logs. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      return SECRET_QUERY.test(name) ? `${pair.slice(0, eq < 0 ? pair.length : eq)}=${REDACTED}` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}
