import { z } from 'zod';
import { envApiToken } from './api-token.js';
import { envEnum, envInt, envUrl } from './env-fields.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The variables every service reads. */
export const baseConfigShape = {
  REDIS_URL: envUrl(['redis', 'rediss'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  /** Operator routes answer 503 while it is unset, so a start with no credentials still runs. */
  API_TOKEN: envApiToken(),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
  HOST: z.string().default('0.0.0.0'),
  SHUTDOWN_GRACE_MS: envInt(10_000, { min: 100, max: 600_000 }),
};

export const baseConfigSchema = z.object(baseConfigShape);
export type BaseConfig = z.infer<typeof baseConfigSchema>;
