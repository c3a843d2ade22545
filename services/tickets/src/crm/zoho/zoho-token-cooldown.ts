// The shared cooldown after Zoho refuses token refreshes as too many: a key in Redis that
// keeps every replica from asking again until it expires, since each further refresh would
// only push the limit further out.
import type { Logger, Redis } from '@helpline/runtime';
import { CrmUnavailableError } from '../crm-errors.js';

export interface ZohoTokenCooldown {
  /** Starts the shared cooldown; returns the error that tells this caller to retry after it. */
  start(reason: string, status: number, hintMs: number | undefined): Promise<CrmUnavailableError>;
  /** Throws while the shared cooldown runs: asking Zoho now would only be refused again. */
  assertNotRunning(): Promise<void>;
}

export function createZohoTokenCooldown(options: {
  redis: Redis;
  key: string;
  /** How long when Zoho gives no Retry-After. */
  defaultMs: number;
  logger: Logger;
}): ZohoTokenCooldown {
  return {
    async start(reason, status, hintMs) {
      const ms = hintMs && hintMs > 0 ? hintMs : options.defaultMs;
      await options.redis.set(options.key, '1', 'PX', ms);
      options.logger.warn(
        { cooldownMs: ms },
        'Zoho refused the token refresh as too many; no replica refreshes until the cooldown ends',
      );
      return new CrmUnavailableError(`${reason}; no refresh for ${Math.ceil(ms / 1000)} s`, {
        status,
        retryAfterMs: ms,
      });
    },
    async assertNotRunning() {
      const remainingMs = await options.redis.pttl(options.key);
      if (remainingMs > 0) {
        throw new CrmUnavailableError(
          `no Zoho access token: Zoho refused refreshes as too many; refreshing again in ${Math.ceil(remainingMs / 1000)} s`,
          { retryAfterMs: remainingMs },
        );
      }
    },
  };
}
