// One call to Zoho accounts for a new access token, and what its answer means: a token and
// its lifetime, or the error that says whether to retry (unavailable, too many refreshes:
// the shared cooldown starts) or to fix the credentials (refused).
import { CrmRefusedError, CrmUnavailableError } from '../crm-errors.js';
import type { ZohoTokenCooldown } from './zoho-token-cooldown.js';

export interface ZohoRefreshSettings {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Deadline of one refresh call. */
  deadlineMs: number;
  fetch: typeof fetch;
}

export async function refreshZohoToken(
  settings: ZohoRefreshSettings,
  cooldown: ZohoTokenCooldown,
): Promise<{ token: string; lifetimeMs: number }> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
    refresh_token: settings.refreshToken,
  });
  let status: number;
  let text: string;
  let retryAfterHeader: string | null;
  try {
    const res = await settings.fetch(`${settings.accountsUrl}/oauth/v2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(settings.deadlineMs),
    });
    status = res.status;
    retryAfterHeader = res.headers.get('retry-after');
    text = await res.text();
  } catch (error) {
    throw new CrmUnavailableError(`Zoho accounts did not answer the token refresh: ${describe(error)}`, {
      cause: error,
    });
  }
  // A 429 or 5xx may come from a proxy, in HTML: its status still says what happened.
  const body = parseObject(text);
  if (status === 429) {
    throw await cooldown.start(`Zoho accounts answered 429 to the token refresh`, status, retryAfter(retryAfterHeader));
  }
  if (status >= 500 || status === 408) {
    throw new CrmUnavailableError(`Zoho accounts answered ${status} to the token refresh`, { status });
  }
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (error === 'Access Denied') {
    // Too many refreshes: the window frees up within minutes.
    throw await cooldown.start('Zoho refused the token refresh: too many refreshes', status, undefined);
  }
  if (error || status >= 400) {
    throw new CrmRefusedError(
      `Zoho refused the refresh token (${error ?? status}): check ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN and ZOHO_ACCOUNTS_URL (data centre)`,
      { status, crmCode: error },
    );
  }
  const token = body.access_token;
  const expiresIn = Number(body.expires_in);
  if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new CrmUnavailableError('Zoho accounts answered the token refresh without a usable access token');
  }
  return { token, lifetimeMs: expiresIn * 1000 };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.name === 'TimeoutError' ? 'deadline passed' : error.message}${cause}`;
  }
  return String(error);
}
