import { installServiceShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { cloudApiConfigured, gatewayConfigSchema } from './config.js';
import { createContext, LEGACY_KEY_PREFIXES } from './context.js';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit(gatewayConfigSchema);
const context = createContext(config);
const { logger } = context;

if (!cloudApiConfigured(config)) {
  logger.warn('Cloud API channel disabled: set WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID to send');
}
if (!config.META_APP_SECRET) {
  logger.warn('POST /webhook answers 503 until META_APP_SECRET is set');
}
if (!(await context.ready())) logger.error('Redis is not reachable yet; /health says so until it is');
else await context.migrateKeys(LEGACY_KEY_PREFIXES);

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.GATEWAY_PORT });
startWorkers(context);
if (context.groups) {
  await context.groups.start();
} else {
  logger.info('group mode disabled: set BAILEYS_ENABLED=true to link a WhatsApp account for support groups');
}
installServiceShutdown(context, app);
