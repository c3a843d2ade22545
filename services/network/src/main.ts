import { installServiceShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { networkConfigSchema } from './config.js';
import { createContext, LEGACY_KEY_PREFIXES } from './context.js';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit(networkConfigSchema);
const context = createContext(config);
const { logger } = context;
for (const notice of context.notices) logger.warn(notice);
if (!(await context.ready())) logger.error('Redis is not reachable yet; /health says so until it is');
else await context.migrateKeys(LEGACY_KEY_PREFIXES);

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.NETWORK_PORT });
startWorkers(context);
logger.info(
  { routers: context.routers.all().map((r) => r.name), directory: context.directory.source },
  'network service started',
);
installServiceShutdown(context, app);
