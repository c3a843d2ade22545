import type { Redis } from 'ioredis';
import { tryAcquireLease } from './lease.js';

export interface KeyPrefixMigration {
  /** Keys found under the old prefix. */
  found: number;
  /** Renamed to the new prefix. */
  moved: number;
  /** Left alone: the new prefix already held a key of that name (written by this version). */
  kept: number;
}

/**
 * Moves the keys of an older release (`from:*`) to the one scheme (`to:*`), so an upgrade
 * loses nothing: RENAMENX keeps each key's value and TTL, and never overwrites a key the
 * new release already wrote (the old one is then left for its TTL or an operator). Runs
 * under a lease so that replicas starting together do not move the same keys twice; a
 * replica that finds the lease taken skips the move (the holder does it).
 */
export async function migrateKeyPrefix(
  redis: Redis,
  from: string,
  to: string,
  options: { batch?: number; leaseMs?: number } = {},
): Promise<KeyPrefixMigration> {
  const result: KeyPrefixMigration = { found: 0, moved: 0, kept: 0 };
  if (from === to) return result;
  const lease = await tryAcquireLease(redis, `${to}:migration:from:${from}`, options.leaseMs ?? 60_000);
  if (!lease) return result;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(from)}:*`, 'COUNT', options.batch ?? 500);
      cursor = next;
      for (const key of keys) {
        result.found++;
        const renamed = await redis.renamenx(key, `${to}${key.slice(from.length)}`);
        if (renamed === 1) result.moved++;
        else result.kept++;
      }
    } while (cursor !== '0');
  } finally {
    await lease.release();
  }
  return result;
}

/** A prefix as a literal in a SCAN pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
