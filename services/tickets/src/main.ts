import { installServiceShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { ticketsConfigSchema } from './config.js';
import { createContext } from './context.js';
import { retriesWithin } from './queue/retry-policy.js';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit(ticketsConfigSchema);
const context = createContext(config);
const { logger } = context;

const crm = context.crmSettings;
if (crm.provider === 'local' && crm.notice) logger.warn(crm.notice);
logger.info(
  {
    provider: crm.provider,
    retryHorizonHours: config.TICKETS_RETRY_HORIZON_HOURS,
    retriesWithinHorizon: retriesWithin(context.retryPolicy),
  },
  'tickets service starting',
);

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.TICKETS_PORT });
startWorkers(context);
installServiceShutdown(context, app);
