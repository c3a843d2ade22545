import { installServiceShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { cloudApiConfigured, gatewayConfigSchema, twilioConfigured } from './config.js';
import { createContext, type GatewayContext, LEGACY_KEY_PREFIXES } from './context.js';
import { TemplatesFileError } from './templates/templates-file.js';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit(gatewayConfigSchema);
let context: GatewayContext;
try {
  context = createContext(config);
} catch (error) {
  // A broken WHATSAPP_TEMPLATES_FILE stops the start with one line per fault, like a bad variable.
  if (!(error instanceof TemplatesFileError)) throw error;
  for (const line of error.lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}
const { logger } = context;

if (!cloudApiConfigured(config)) {
  logger.warn('Cloud API channel disabled: set WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID to send');
}
if (!twilioConfigured(config)) {
  logger.info(
    'Twilio channel disabled: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER to send through Twilio',
  );
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
