import { installGracefulShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { deskConfigSchema } from './config.js';
import { createContext } from './context.js';
import { startRetention } from './retention/retention-scheduler.js';

const config = loadConfigOrExit(deskConfigSchema);
const context = createContext(config);
// The schema first: the consumer and the routes need its tables. A database still coming
// up is waited for (the runtime retries connecting); one that stays away stops the start.
const migrated = await context.db.migrate();
context.logger.info({ migrations: migrated }, 'desk schema ready');
context.consumer.start();
const retention = await startRetention({
  days: config.ARCHIVE_RETENTION_DAYS,
  db: context.db,
  connection: context.redis.producer,
  workerConnection: context.redis.worker,
  prefix: context.prefix,
  logger: context.logger,
  clock: context.clock,
});
const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.DESK_PORT });
context.logger.info(
  { retentionDays: config.ARCHIVE_RETENTION_DAYS || 'keep', gateway: context.gateway.configured },
  'desk service started',
);

installGracefulShutdown({
  logger: context.logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  steps: [
    { name: 'http', close: () => app.close() },
    { name: 'retention', close: () => retention.close() },
    { name: 'context', close: () => context.close() },
  ],
});
