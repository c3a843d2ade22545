import { createLogger, type Logger } from '@helpline/runtime';

export function quietLogger(): Logger {
  return createLogger({ name: 'accounts-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}
