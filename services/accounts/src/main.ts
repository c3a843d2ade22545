import { installGracefulShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { accountsConfigSchema, billingProviderOf } from './config.js';
import { createContext } from './context.js';
import { startAccountWorker } from './queue/start-account-worker.js';

const config = loadConfigOrExit(accountsConfigSchema);
const context = createContext(config);
const { logger } = context;

const migrated = await context.db.migrate();
logger.info({ provider: billingProviderOf(config), migrations: migrated }, 'accounts service starting');

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.ACCOUNTS_PORT });
startAccountWorker(context);

installGracefulShutdown({
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  steps: [
    { name: 'http', close: () => app.close() },
    { name: 'context', close: () => context.close() },
  ],
});
