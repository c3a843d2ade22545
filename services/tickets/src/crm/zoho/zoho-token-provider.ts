import { setTimeout as sleep } from 'node:timers/promises';
import { compareAndDelete, type Logger, type Redis, tryAcquireLease } from '@helpline/runtime';
import type { Counter } from 'prom-client';
import { CrmRefusedError, CrmUnavailableError } from '../crm-errors.js';

export interface ZohoTokenProviderOptions {
  redis: Redis;
  /** Prefix of the Redis keys (`<prefix>:zoho:token`, `:zoho:token-lock`, `:zoho:token-cooldown`). */
  keyPrefix: string;
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Deadline of one refresh call. */
  deadlineMs: number;
  logger: Logger;
  refreshes: Counter<'outcome'>;
  /** Refresh this long before Zoho's expiry, so no call carries a token about to die. */
  expiryMarginMs?: number;
  /** How often a replica waiting for another's refresh looks for the new token. */
  pollMs?: number;
  /**
   * After Zoho refuses a refresh as too many (`Access Denied`, or a 429 without
   * Retry-After), no replica asks again for this long (default 60 s).
   */
  limitCooldownMs?: number;
  fetch?: typeof fetch;
}

export interface ZohoTokenProvider {
  /** A valid access token: the cached one, or one refreshed by exactly one replica. */
  getToken(): Promise<string>;
  /** Zoho said this token is invalid: forget it, unless another replica already replaced it. */
  invalidate(token: string): Promise<void>;
}

/**
 * Zoho allows 10 access-token refreshes per refresh token in 10 minutes, shared by every
 * replica. So the token lives in Redis (until shortly before it expires), and a refresh is
 * done by whoever holds a Redis lock; the others poll Redis for the token it stores. When
 * Zoho says too many refreshes, a cooldown key in Redis keeps every replica from asking
 * again until it expires: each further refresh would only push the limit further out.
 */
export function createZohoTokenProvider(options: ZohoTokenProviderOptions): ZohoTokenProvider {
  const fetchImpl = options.fetch ?? fetch;
  const tokenKey = `${options.keyPrefix}:zoho:token`;
  const lockKey = `${options.keyPrefix}:zoho:token-lock`;
  const cooldownKey = `${options.keyPrefix}:zoho:token-cooldown`;
  const limitCooldownMs = options.limitCooldownMs ?? 60_000;
  const margin = options.expiryMarginMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 50;
  // The lock outlives one refresh call; a holder that died frees it after this.
  const lockTtlMs = options.deadlineMs + 2_000;
  const waitLimitMs = lockTtlMs + options.deadlineMs;

  /** Starts the shared cooldown; returns the error that tells this caller to retry after it. */
  const coolDown = async (reason: string, status: number, hintMs: number | undefined): Promise<CrmUnavailableError> => {
    const ms = hintMs && hintMs > 0 ? hintMs : limitCooldownMs;
    await options.redis.set(cooldownKey, '1', 'PX', ms);
    options.logger.warn(
      { cooldownMs: ms },
      'Zoho refused the token refresh as too many; no replica refreshes until the cooldown ends',
    );
    return new CrmUnavailableError(`${reason}; no refresh for ${Math.ceil(ms / 1000)} s`, { status, retryAfterMs: ms });
  };

  /** Throws while the shared cooldown runs: asking Zoho now would only be refused again. */
  const assertNotCoolingDown = async (): Promise<void> => {
    const remainingMs = await options.redis.pttl(cooldownKey);
    if (remainingMs > 0) {
      throw new CrmUnavailableError(
        `no Zoho access token: Zoho refused refreshes as too many; refreshing again in ${Math.ceil(remainingMs / 1000)} s`,
        { retryAfterMs: remainingMs },
      );
    }
  };

  const refresh = async (): Promise<{ token: string; lifetimeMs: number }> => {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      refresh_token: options.refreshToken,
    });
    let status: number;
    let text: string;
    let retryAfterHeader: string | null;
    try {
      const res = await fetchImpl(`${options.accountsUrl}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(options.deadlineMs),
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
      throw await coolDown(`Zoho accounts answered 429 to the token refresh`, status, retryAfter(retryAfterHeader));
    }
    if (status >= 500 || status === 408) {
      throw new CrmUnavailableError(`Zoho accounts answered ${status} to the token refresh`, { status });
    }
    const error = typeof body.error === 'string' ? body.error : undefined;
    if (error === 'Access Denied') {
      // Too many refreshes: the window frees up within minutes.
      throw await coolDown('Zoho refused the token refresh: too many refreshes', status, undefined);
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
  };

  const refreshAndStore = async (): Promise<string> => {
    try {
      const { token, lifetimeMs } = await refresh();
      // A lifetime shorter than twice the margin (never in production) keeps half of it.
      const ttl = lifetimeMs > 2 * margin ? lifetimeMs - margin : Math.max(1, Math.floor(lifetimeMs / 2));
      await options.redis.set(tokenKey, token, 'PX', ttl);
      options.refreshes.inc({ outcome: 'ok' });
      options.logger.info({ ttlMs: ttl }, 'Zoho access token refreshed');
      return token;
    } catch (error) {
      options.refreshes.inc({ outcome: 'failed' });
      throw error;
    }
  };

  return {
    async getToken() {
      const started = Date.now();
      for (;;) {
        const cached = await options.redis.get(tokenKey);
        if (cached) return cached;
        await assertNotCoolingDown();
        const lock = await tryAcquireLease(options.redis, lockKey, lockTtlMs);
        if (lock) {
          try {
            // Another replica may have stored a token, or met the limit, between our reads and our lock.
            const stored = await options.redis.get(tokenKey);
            if (stored) return stored;
            await assertNotCoolingDown();
            return await refreshAndStore();
          } finally {
            await lock.release();
          }
        }
        if (Date.now() - started > waitLimitMs) {
          throw new CrmUnavailableError('no Zoho access token: another replica is refreshing it and has not finished');
        }
        await sleep(pollMs);
      }
    },
    async invalidate(token) {
      await compareAndDelete(options.redis, tokenKey, token);
    },
  };
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
