import { baseConfigShape, envDatabaseUrl, envInt, envPort, envUrl } from '@helpline/runtime';
import { z } from 'zod';

/** The desk's slice of the environment; parsed once, in main. */
export const deskConfigShape = {
  ...baseConfigShape,
  DESK_PORT: envPort(8006),
  /** The PostgreSQL database (required here: the archive is the desk); the desk works in its schema `desk`. */
  DATABASE_URL: envDatabaseUrl(),
  /**
   * The gateway, for the actions that change a chat's live state in Redis (resume, close,
   * erase); called with API_TOKEN. Unset: those routes answer 503.
   */
  // The gateway's address, shared with the classifier and accounts (the same default).
  GATEWAY_URL: envUrl(['http', 'https'], 'http://127.0.0.1:3001').default('http://127.0.0.1:3001'),
  /** Archived messages older than this many days are deleted, daily, in batches. Unset: kept. */
  ARCHIVE_RETENTION_DAYS: envInt(0, { min: 0, max: 36_500 }),
  /** Events per batch read from the stream and written in one transaction. */
  ARCHIVE_BATCH_SIZE: envInt(500, { min: 1, max: 10_000 }),
  /** Milliseconds the archive waits after a part-full batch, so batches fill under a trickle. */
  ARCHIVE_LINGER_MS: envInt(250, { min: 0, max: 10_000 }),
};

export const deskConfigSchema = z.object(deskConfigShape).transform((config, ctx) => {
  if (!config.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required: the desk keeps its archive there' });
    return z.NEVER;
  }
  return { ...config, DATABASE_URL: config.DATABASE_URL };
});
export type DeskConfig = z.infer<typeof deskConfigSchema>;

/** The config from a plain record of variables (tests; main uses loadConfigOrExit). */
export function parseDeskConfig(env: Record<string, string | undefined> = {}): DeskConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return deskConfigSchema.parse(clean);
}
