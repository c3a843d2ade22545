import { installServiceShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { deskConfigSchema } from './config.js';
import { createContext } from './context.js';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit(deskConfigSchema);
const context = createContext(config);
const { logger } = context;
// The schema first: the consumer and the routes need its tables. A database still coming
// up is waited for (the runtime retries connecting); one that stays away stops the start.
const migrated = await context.db.migrate();
logger.info({ migrations: migrated }, 'desk schema ready');
// The archive runs before the routes answer, so /health never shows a desk that is not archiving.
await startWorkers(context);

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.DESK_PORT });
logger.info(
  { retentionDays: config.ARCHIVE_RETENTION_DAYS || 'keep', gateway: context.gateway.configured },
  'desk service started',
);
installServiceShutdown(context, app);
