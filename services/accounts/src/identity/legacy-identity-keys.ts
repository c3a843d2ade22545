import { type KeyPrefixMigration, type Logger, migrateKeyPrefix, QUEUE_PREFIX, type Redis } from '@helpline/runtime';
import { IDENTITY_KEY_FAMILIES } from './identity-store.js';

/**
 * Where an older release kept what a chat proved: beside the `accounts` queue, under
 * `bull:accounts:`. Only the identity families are moved (never the whole prefix: BullMQ's
 * own keys of the `accounts` queue live there too and must stay).
 */
export const LEGACY_IDENTITY_PREFIX = `${QUEUE_PREFIX}:accounts`;

/**
 * Moves the identity keys of an older release to `keyPrefix` (values and TTLs kept, keys
 * this release already wrote left alone), so a customer who proved who they are before an
 * upgrade is not asked again. Main calls it once at start, before the worker consumes.
 */
export async function moveLegacyIdentityKeys(
  redis: Redis,
  keyPrefix: string,
  logger: Logger,
  legacyPrefix = LEGACY_IDENTITY_PREFIX,
): Promise<KeyPrefixMigration> {
  const total: KeyPrefixMigration = { found: 0, moved: 0, kept: 0 };
  if (legacyPrefix === keyPrefix) return total;
  for (const family of IDENTITY_KEY_FAMILIES) {
    const from = `${legacyPrefix}:${family}`;
    const result = await migrateKeyPrefix(redis, from, `${keyPrefix}:${family}`);
    if (result.found > 0)
      logger.info({ from, to: `${keyPrefix}:${family}`, ...result }, 'keys moved to the new prefix');
    total.found += result.found;
    total.moved += result.moved;
    total.kept += result.kept;
  }
  return total;
}
