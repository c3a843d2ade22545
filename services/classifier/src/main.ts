import { installServiceShutdown, loadConfigOrExit } from '@helpline/runtime';
import { buildApp } from './app.js';
import { classifierConfigSchema } from './config.js';
import { createContext } from './context.js';
import { keywordsOnlyMessage } from './health/provider-health.js';
import { PROVIDER_KEY_VARIABLE } from './providers/provider.js';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit(classifierConfigSchema);
const context = createContext(config);
const { logger } = context;

const keywordsOnly = keywordsOnlyMessage(context.chain);
if (keywordsOnly) logger.warn(keywordsOnly);
else {
  const chain = context.chain.providers.map((p) =>
    p.provider ? `${p.name} (${p.provider.model})` : `${p.name} (no ${PROVIDER_KEY_VARIABLE[p.name]}: skipped)`,
  );
  logger.info({ chain }, 'provider chain, keywords last');
}

const app = await buildApp(context);
await app.listen({ host: config.HOST, port: config.CLASSIFIER_PORT });
startWorkers(context);
installServiceShutdown(context, app);
