import type { Database, Logger, Redis } from '@helpline/runtime';
import type { CrmDepartment } from '../crm-adapter.js';
import { importRedisStore, type RedisImportResult } from './import-redis-store.js';
import { syncDepartments } from './local-crm.js';

export interface PrepareLocalStoreOptions {
  database: Database;
  /** Where the store lived before PostgreSQL. */
  redis: Redis;
  keyPrefix: string;
  departments: readonly CrmDepartment[];
  logger: Logger;
}

/**
 * What the local store needs before the first ticket: the schema migrated, the configured
 * departments written, and the tickets of the Redis store moved over (once). Run at start,
 * before the HTTP routes and the worker.
 */
export async function prepareLocalStore(options: PrepareLocalStoreOptions): Promise<RedisImportResult> {
  const { database } = options;
  const migration = await database.migrate();
  if (migration.applied.length > 0) {
    options.logger.info({ applied: migration.applied, version: migration.current }, 'tickets schema migrated');
  }
  await syncDepartments(database, options.departments);
  return importRedisStore(database, options.redis, options.keyPrefix, options.logger);
}
