import { setTimeout as sleep } from 'node:timers/promises';
import { compareAndDelete, type Logger, type Redis, tryAcquireLease } from '@helpline/runtime';
import type { Counter } from 'prom-client';
import { CrmUnavailableError } from '../crm-errors.js';
import { createZohoTokenCooldown } from './zoho-token-cooldown.js';
import { refreshZohoToken } from './zoho-token-refresh.js';

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
  const tokenKey = `${options.keyPrefix}:zoho:token`;
  const lockKey = `${options.keyPrefix}:zoho:token-lock`;
  const margin = options.expiryMarginMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 50;
  // The lock outlives one refresh call; a holder that died frees it after this.
  const lockTtlMs = options.deadlineMs + 2_000;
  const waitLimitMs = lockTtlMs + options.deadlineMs;

  const cooldown = createZohoTokenCooldown({
    redis: options.redis,
    key: `${options.keyPrefix}:zoho:token-cooldown`,
    defaultMs: options.limitCooldownMs ?? 60_000,
    logger: options.logger,
  });
  const refreshSettings = { ...options, fetch: options.fetch ?? fetch };

  const refreshAndStore = async (): Promise<string> => {
    try {
      const { token, lifetimeMs } = await refreshZohoToken(refreshSettings, cooldown);
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
        await cooldown.assertNotRunning();
        const lock = await tryAcquireLease(options.redis, lockKey, lockTtlMs);
        if (lock) {
          try {
            // Another replica may have stored a token, or met the limit, between our reads and our lock.
            const stored = await options.redis.get(tokenKey);
            if (stored) return stored;
            await cooldown.assertNotRunning();
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
