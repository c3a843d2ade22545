import { setTimeout as sleep } from 'node:timers/promises';
import { describeDatabaseError, installServiceShutdown, isConnectionError, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { ticketsConfigSchema } from './config.js';
import { createContext } from './context.js';
import { prepareLocalStore } from './crm/local/prepare-local-store.js';
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

if (context.database) {
  // Before any route or job can create a ticket: schema, departments, the Redis store moved.
  // PostgreSQL not answering yet (starting beside us) is waited for; any other failure (a
  // changed migration file, a broken row) stops the start with its reason.
  const database = context.database;
  for (let attempt = 1; ; attempt++) {
    try {
      await prepareLocalStore({
        database,
        redis: context.redis('commands'),
        keyPrefix: context.keyPrefix,
        departments: await context.crm.listDepartments(),
        logger,
      });
      break;
    } catch (error) {
      if (!isConnectionError(error)) {
        logger.fatal({ err: error }, 'the local ticket store could not be prepared');
        await context.close();
        process.exit(1);
      }
      logger.warn({ attempt, reason: describeDatabaseError(error) }, 'PostgreSQL unreachable at start; waiting');
      await sleep(Math.min(1_000 * attempt, 10_000));
    }
  }
}

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.TICKETS_PORT });
startWorkers(context);
installServiceShutdown(context, app);
