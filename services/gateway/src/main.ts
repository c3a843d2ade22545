import { installGracefulShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { cloudApiConfigured, gatewayConfigSchema } from './config.js';
import { createContext } from './context.js';
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

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.GATEWAY_PORT });
startWorkers(context);
if (context.groups) {
  await context.groups.start();
} else {
  logger.info('group mode disabled: set BAILEYS_ENABLED=true to link a WhatsApp account for support groups');
}

installGracefulShutdown({
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  steps: [
    { name: 'http', close: () => app.close() },
    { name: 'context', close: () => context.close() },
  ],
});
