import { installServiceShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { accountsConfigSchema, billingProviderOf } from './config.js';
import { createContext } from './context.js';
import { moveLegacyIdentityKeys } from './identity/legacy-identity-keys.js';
import { startBroadcasts } from './broadcasts/start-broadcasts.js';
import { startNotices } from './notices/start-notices.js';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit(accountsConfigSchema);
const context = createContext(config);
const { logger } = context;

const migrated = await context.db.migrate();
logger.info({ provider: billingProviderOf(config), migrations: migrated }, 'accounts service starting');
if (!(await context.ready())) logger.error('Redis is not reachable yet; /health says so until it is');
else await moveLegacyIdentityKeys(context.redis('worker'), context.keyPrefix, logger);

// Statements are made on demand and fetched by the gateway within seconds; a month is ample.
const STATEMENT_DAYS = 30;
const pruneStatements = () =>
  context.documents
    .dropOlderThan(STATEMENT_DAYS)
    .then((n) => n > 0 && logger.info({ dropped: n }, 'old statements dropped'))
    .catch((error: unknown) => logger.warn({ err: error }, 'old statements could not be dropped'));
await pruneStatements();
setInterval(pruneStatements, 24 * 3600_000).unref();

// The network service reads the open outages from Redis: published again at every start.
await context.outages
  .republish()
  .catch((error: unknown) => logger.warn({ err: error }, 'open outages could not be published yet'));

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.ACCOUNTS_PORT });
startWorkers(context);
await startNotices(context);
startBroadcasts(context);
installServiceShutdown(context, app);
