import { describe, expect, test } from 'vitest';
import { deskConfigSchema, parseDeskConfig } from '../src/config.js';

describe('desk config', () => {
  test('defaults: port 8006, retention off, batches of 500', () => {
    const config = parseDeskConfig({ DATABASE_URL: 'postgres://127.0.0.1:5432/helpline' });
    expect(config).toMatchObject({ DESK_PORT: 8006, ARCHIVE_RETENTION_DAYS: 0, ARCHIVE_BATCH_SIZE: 500 });
    expect(config.GATEWAY_URL).toBe('http://127.0.0.1:3001');
  });

  test('the archive needs a database, and a PostgreSQL URL', () => {
    const missing = deskConfigSchema.safeParse({});
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['DATABASE_URL']);
    const wrong = deskConfigSchema.safeParse({ DATABASE_URL: 'mysql://x' });
    expect(wrong.error?.issues.map((i) => i.path.join('.'))).toEqual(['DATABASE_URL']);
    expect(deskConfigSchema.safeParse({ DATABASE_URL: 'postgres://x/y', ARCHIVE_BATCH_SIZE: '0' }).success).toBe(false);
  });
});
